using System.CommandLine;
using NeuralFP.Core.Evaluation;
using NeuralFP.Core.Fingerprints;

namespace NeuralFP.Cli.Commands;

/// <summary><c>nfp evaluate</c>: AUROC, FPR95, AUPR per OOD set and the realised FPR on an in-distribution set.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var fingerprint = CommonOptions.Fingerprint();
        var inDistribution = CommonOptions.Records("--in");
        inDistribution.Description = "In-distribution records (.npy) not used to build the fingerprint, e.g. the test split.";
        // --ood, not --out: across nfp, --out is always where a command writes its result.
        var outOfDistribution = new Option<FileInfo[]>("--ood")
        {
            Description = "Out-of-distribution record sets (.npy); repeat the option for several sets.",
            Required = true,
        };
        var json = CommonOptions.Json();
        var command = new Command("evaluate", "Evaluate a fingerprint against OOD sets, with max-softmax beside it.") { fingerprint, inDistribution, outOfDistribution, json };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var progress = CommandRunner.StderrProgress();
            progress.Report("loading the fingerprint and the record sets");
            using var scorer = new FingerprintScorer(await Fingerprint.LoadAsync(parse.GetValue(fingerprint)!.FullName, cancellationToken), inlineSmallBatches: InlineSmallBatches.OneStream);
            var idFile = parse.GetValue(inDistribution)!;
            var id = new LabelledSet(Path.GetFileNameWithoutExtension(idFile.Name), CommandRunner.ReadRecords(idFile));
            var oodSets = parse.GetValue(outOfDistribution)!
                .Select(f => new LabelledSet(Path.GetFileNameWithoutExtension(f.Name), CommandRunner.ReadRecords(f)))
                .ToArray();
            var report = FingerprintEvaluator.Evaluate(scorer, id, oodSets, cancellationToken, progress);
            if (parse.GetValue(json))
            {
                CliJson.Write(new { EvaluationReport.Convention, Report = report });
                return 0;
            }
            EvaluationMarkdown.Write(Console.Out, report);
            return 0;
        }));
        return command;
    }
}
