using System.CommandLine;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Matching;

namespace NeuralFP.Cli.Commands;

/// <summary><c>nfp match</c>: rank fingerprinted models by how well a batch fits each.</summary>
internal static class MatchCommand
{
    public static Command Create()
    {
        var fingerprints = new Option<DirectoryInfo[]>("--fingerprints")
        {
            Description = "Fingerprint directories to rank; the directory name is the model id.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var records = CommonOptions.Records();
        var json = CommonOptions.Json();
        var command = new Command("match", "Rank fingerprinted models by how well a batch of records fits their training distribution.") { fingerprints, records, json };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var batch = CommandRunner.ReadRecords(parse.GetValue(records)!);
            var results = new List<MatchResult>();
            var skipped = new List<(string ModelId, string Reason)>();
            foreach (var directory in parse.GetValue(fingerprints)!)
            {
                using var scorer = new FingerprintScorer(await Fingerprint.LoadAsync(directory.FullName, cancellationToken), inlineSmallBatches: InlineSmallBatches.OneStream);
                if (scorer.InputShape.Aggregate(1, (a, b) => a * b) != batch.RecordLength)
                {
                    skipped.Add((directory.Name, $"its input has {scorer.InputShape.Aggregate(1, (a, b) => a * b)} values per record; the records have {batch.RecordLength}."));
                    continue;
                }
                results.Add(scorer.Match(directory.Name, batch, cancellationToken));
            }
            var ranked = ModelMatcher.Rank(results);
            if (parse.GetValue(json))
            {
                // The HTTP API's names (MatchResponse: records, matches, skipped[].modelId/reason).
                CliJson.Write(new { Records = batch.Records, Matches = ranked, Skipped = skipped.Select(s => new { s.ModelId, s.Reason }) });
                return 0;
            }
            Console.WriteLine($"{"rank",4}  {"model",-24} {"score",7} {"in-dist",8} {"distance",9}");
            foreach (var r in ranked)
                Console.WriteLine($"{r.Rank,4}  {r.ModelId,-24} {r.Score,7:F4} {r.InDistributionShare,8:P1} {r.MeanDistance,9:F4}");
            foreach (var (id, reason) in skipped) Console.WriteLine($"   -  {id,-24} skipped: {reason}");
            return 0;
        }));
        return command;
    }
}
