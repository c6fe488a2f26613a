using System.CommandLine;
using System.Text.Json;
using NeuralFP.Core.Artifacts;
using NeuralFP.Core.Explanations;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Monitoring;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;
using NeuralFP.Edge;

namespace NeuralFP.Cli.Commands;

/// <summary>
/// <c>nfp score</c>: per-record verdicts for a .npy of records. A folder from <c>nfp pull</c> is scored as a gateway
/// would (the edge library, with its local drift test); <c>--explain</c> adds the deciding layer and top input features.
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var fingerprint = CommonOptions.Fingerprint();
        var records = CommonOptions.Records();
        var output = new Option<FileInfo?>("--out") { Description = "Write the verdicts as JSON to this file." };
        var explain = new Option<bool>("--explain") { Description = "Explain each verdict: the deciding layer, the top input features of the input layer's error and a heatmap for images." };
        var top = new Option<int>("--top") { Description = "Input features per explanation (with --explain).", DefaultValueFactory = _ => FingerprintExplainer.DefaultTopK };
        var json = CommonOptions.Json();
        var command = new Command("score", "Score records: per-record OOD verdict, score, per-layer errors and thresholds.") { fingerprint, records, output, explain, top, json };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var directory = parse.GetValue(fingerprint)!.FullName;
            var input = CommandRunner.ReadRecords(parse.GetValue(records)!);
            var topK = parse.GetValue(explain) ? parse.GetValue(top) : (int?)null;
            var (verdicts, explanations, drift) = File.Exists(Path.Combine(directory, FingerprintArchive.ManifestEntryName))
                ? await ScoreAsEdgeAsync(directory, input, topK, cancellationToken)
                : await ScoreAsync(directory, input, topK, cancellationToken);
            var ood = verdicts.Count(v => v.Ood);
            // The HTTP API's names (VerdictsResponse: records, oodRecords, verdicts, explanations), plus what only a local run knows.
            var document = new { Records = verdicts.Count, OodRecords = ood, OodRate = (double)ood / verdicts.Count, Drift = drift, Verdicts = verdicts, Explanations = explanations };
            if (parse.GetValue(output) is { } file)
            {
                await using var stream = file.Create();
                await JsonSerializer.SerializeAsync(stream, document, FingerprintJson.Options, cancellationToken);
            }
            if (parse.GetValue(json))
            {
                CliJson.Write(document);
                return 0;
            }
            Console.WriteLine($"{document.Records} records, {ood} out of distribution ({document.OodRate:P1}).");
            if (drift is { } d)
                Console.WriteLine($"Local drift test: {d.OodCount}/{d.WindowCount} OOD, expected rate {d.ExpectedRate:P1}, p = {d.PValue:G3}{(d.Alarm ? " — ALARM" : "")}.");
            if (explanations is not null)
                for (var r = 0; r < verdicts.Count; r++)
                    if (verdicts[r].Ood) Console.WriteLine($"  record {r}: {Describe(explanations[r])}");
            return 0;
        }));
        return command;
    }

    private static async Task<(IReadOnlyList<Verdict>, IReadOnlyList<VerdictExplanation>?, DriftState?)> ScoreAsEdgeAsync(string directory, FloatTensor records, int? topK, CancellationToken cancellationToken)
    {
        using var scorer = new EdgeScorer(await EdgeFingerprint.LoadDirectoryAsync(directory, cancellationToken));
        if (topK is not int k) return (scorer.Score(records, cancellationToken), null, scorer.Drift);
        var explained = scorer.ScoreAndExplain(records, k, cancellationToken);
        return (explained.Select(e => e.Verdict).ToArray(), explained.Select(e => e.Explanation).ToArray(), scorer.Drift);
    }

    private static async Task<(IReadOnlyList<Verdict>, IReadOnlyList<VerdictExplanation>?, DriftState?)> ScoreAsync(string directory, FloatTensor records, int? topK, CancellationToken cancellationToken)
    {
        using var scorer = new FingerprintScorer(await Fingerprint.LoadAsync(directory, cancellationToken));
        var verdicts = scorer.Score(records, cancellationToken);
        return (verdicts, topK is int k ? scorer.Explainer.Explain(records, verdicts, k, cancellationToken) : null, null);
    }

    private static string Describe(VerdictExplanation explanation)
    {
        var text = $"decided by {explanation.DecidingLayer} (p = {explanation.DecidingPValue:G3})";
        if (explanation.Input is not { } input) return text + "; " + explanation.InputUnavailableReason;
        return text + "; top input features " + string.Join(", ", input.TopFeatures.Take(5).Select(f => $"[{string.Join(",", f.Position)}] {f.Share:P0}"));
    }
}
