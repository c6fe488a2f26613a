using System.CommandLine;
using System.Text.Json;
using NeuralFP.Core.Fingerprints;

namespace NeuralFP.Cli.Commands;

/// <summary><c>nfp score</c>: per-record verdicts for a .npy of records.</summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var fingerprint = CommonOptions.Fingerprint();
        var records = CommonOptions.Records();
        var output = new Option<FileInfo?>("--out") { Description = "Write the verdicts as JSON to this file." };
        var json = CommonOptions.Json();
        var command = new Command("score", "Score records: per-record OOD verdict, score, per-layer errors and thresholds.") { fingerprint, records, output, json };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var scorer = new FingerprintScorer(await Fingerprint.LoadAsync(parse.GetValue(fingerprint)!.FullName, cancellationToken));
            var verdicts = scorer.Score(CommandRunner.ReadRecords(parse.GetValue(records)!), cancellationToken);
            var ood = verdicts.Count(v => v.Ood);
            var summary = new { Records = verdicts.Count, Ood = ood, OodRate = (double)ood / verdicts.Count };
            if (parse.GetValue(output) is { } file)
            {
                await using var stream = file.Create();
                await JsonSerializer.SerializeAsync(stream, new { Summary = summary, Verdicts = verdicts }, FingerprintJson.Options, cancellationToken);
            }
            if (parse.GetValue(json))
                CliJson.Write(new { Summary = summary, Verdicts = verdicts });
            else
                Console.WriteLine($"{summary.Records} records, {ood} out of distribution ({summary.OodRate:P1}).");
            return 0;
        }));
        return command;
    }
}
