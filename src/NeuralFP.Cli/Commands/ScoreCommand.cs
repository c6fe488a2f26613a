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
/// <c>nfp score</c>: per-record verdicts for a .npy of records, streamed: the file is read, scored and written chunk by
/// chunk, so memory does not grow with the file. A folder from <c>nfp pull</c> is scored as a gateway would (the edge
/// library, with its local drift test); <c>--explain</c> adds the deciding layer and top input features. The JSON is
/// the service's wire format (<c>layers</c> with thresholds once, lean <c>verdicts</c>, per-layer evidence with
/// <c>--detail layers</c>) plus a <c>summary</c>.
/// </summary>
internal static class ScoreCommand
{
    /// <summary>Records per chunk: bounds memory whatever the file's size.</summary>
    private const int ChunkRecords = 1024;

    public static Command Create()
    {
        var fingerprint = CommonOptions.Fingerprint();
        var records = CommonOptions.Records();
        var output = new Option<FileInfo?>("--out") { Description = "Write the verdicts as JSON to this file." };
        var detail = new Option<string>("--detail") { Description = "verdict: what a gateway acts on (ood, score, pValue, class, probability, deciding layer); layers: also each layer's error, p-value and fired.", DefaultValueFactory = _ => "verdict" };
        detail.AcceptOnlyFromAmong("verdict", "layers");
        var explain = new Option<bool>("--explain") { Description = "Explain each verdict: the deciding layer, the top input features of the input layer's error and a heatmap for images." };
        var top = new Option<int>("--top") { Description = "Input features per explanation (with --explain).", DefaultValueFactory = _ => FingerprintExplainer.DefaultTopK };
        var json = CommonOptions.Json();
        var command = new Command("score", "Score records: per-record OOD verdict, score, deciding layer (per-layer errors and thresholds with --detail layers).") { fingerprint, records, output, detail, explain, top, json };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var directory = parse.GetValue(fingerprint)!.FullName;
            var file = parse.GetValue(records)!;
            if (!file.Exists) throw new FileNotFoundException($"No records file at '{file.FullName}'.");
            var source = RecordSource.FromNpy(file.OpenRead);
            if (source.Records == 0) throw new InvalidRecordsException("The records file holds no records.");
            var topK = parse.GetValue(explain) ? parse.GetValue(top) : (int?)null;
            var layers = parse.GetValue(detail) == "layers";
            var asJson = parse.GetValue(json);
            using var scorer = await ChunkScorer.OpenAsync(directory, cancellationToken);

            await using var outFile = parse.GetValue(output)?.Create();
            await using var stdout = asJson ? Console.OpenStandardOutput() : null;
            var writers = new[] { outFile, stdout }.OfType<Stream>().Select(s => new Utf8JsonWriter(s)).ToArray();
            // Explanations follow the verdicts in the JSON, so they are kept until the end; text mode prints them as it goes.
            var explanations = topK is null || writers.Length == 0 ? null : new List<VerdictExplanation>();
            int scored = 0, ood = 0;
            // A chunk's verdicts are written while the next chunk is read and scored (one write in flight, in order).
            var writing = Task.CompletedTask;
            try
            {
                // A chunk is done with before the next is read (verdicts and explanations hold none of its values).
                foreach (var chunk in source.ReusedBatches(ChunkRecords, cancellationToken))
                {
                    var verdicts = scorer.Score(chunk, cancellationToken);
                    var explained = topK is int k ? scorer.Explain(chunk, verdicts, k, cancellationToken) : null;
                    await writing;
                    var first = scored == 0;
                    writing = writers.Length == 0 ? Task.CompletedTask : Task.Run(() => WriteChunk(writers, verdicts, first, layers), cancellationToken);
                    if (explained is not null)
                    {
                        explanations?.AddRange(explained);
                        if (!asJson)
                            for (var r = 0; r < verdicts.Count; r++)
                                if (verdicts.Ood[r]) Console.WriteLine($"  record {scored + r}: {Describe(explained[r])}");
                    }
                    scored += verdicts.Count;
                    ood += verdicts.OodCount;
                }
                await writing;
                var summary = new ScoreSummary(scored, ood, (double)ood / scored, scorer.Drift);
                foreach (var writer in writers)
                {
                    WriteEnd(writer, explanations, summary);
                    await writer.FlushAsync(cancellationToken);
                }
                if (stdout is not null) await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken);
                if (asJson) return 0;
                Console.WriteLine($"{summary.Records} records, {ood} out of distribution ({summary.OodRate:P1}).");
                if (summary.Drift is { } d)
                    Console.WriteLine($"Local drift test: {d.OodCount}/{d.WindowCount} OOD, expected rate {d.ExpectedRate:P1}, p = {d.PValue:G3}{(d.Alarm ? " — ALARM" : "")}.");
                return 0;
            }
            finally
            {
                // A write still in flight when scoring failed finishes before its writer goes (its own fault, if any, is secondary).
                await Task.WhenAny(writing);
                foreach (var writer in writers) await writer.DisposeAsync();
            }
        }));
        return command;
    }

    private static void WriteChunk(Utf8JsonWriter[] writers, VerdictBatch verdicts, bool first, bool layers)
    {
        foreach (var writer in writers)
        {
            if (first) WriteStart(writer, verdicts, layers);
            for (var r = 0; r < verdicts.Count; r++) VerdictJsonWriter.WriteVerdict(writer, verdicts, r, layers);
            writer.Flush();
        }
    }

    private static void WriteStart(Utf8JsonWriter writer, VerdictBatch verdicts, bool layers)
    {
        writer.WriteStartObject();
        writer.WriteString("detail", layers ? "layers" : "verdict");
        writer.WritePropertyName("layers");
        VerdictJsonWriter.WriteThresholds(writer, verdicts);
        writer.WriteStartArray("verdicts");
    }

    private static void WriteEnd(Utf8JsonWriter writer, IReadOnlyList<VerdictExplanation>? explanations, ScoreSummary summary)
    {
        writer.WriteEndArray();
        if (explanations is not null)
        {
            writer.WritePropertyName("explanations");
            JsonSerializer.Serialize(writer, explanations, FingerprintJson.Options);
        }
        // The HTTP API's names (VerdictsResponse: records, oodRecords), plus what only a local run knows.
        writer.WriteNumber("records", summary.Records);
        writer.WriteNumber("oodRecords", summary.OodRecords);
        writer.WriteNumber("oodRate", summary.OodRate);
        writer.WritePropertyName("drift");
        JsonSerializer.Serialize(writer, summary.Drift, FingerprintJson.Options);
        writer.WriteEndObject();
    }

    private sealed record ScoreSummary(int Records, int OodRecords, double OodRate, DriftState? Drift);

    /// <summary>A pulled archive scores through the edge library (with its drift window); a built folder through Core's scorer.</summary>
    private sealed class ChunkScorer : IDisposable
    {
        private readonly EdgeScorer? _edge;
        private readonly FingerprintScorer? _local;

        private ChunkScorer(EdgeScorer? edge, FingerprintScorer? local) => (_edge, _local) = (edge, local);

        public static async Task<ChunkScorer> OpenAsync(string directory, CancellationToken cancellationToken) =>
            File.Exists(Path.Combine(directory, FingerprintArchive.ManifestEntryName))
                ? new ChunkScorer(new EdgeScorer(await EdgeFingerprint.LoadDirectoryAsync(directory, cancellationToken)), null)
                : new ChunkScorer(null, new FingerprintScorer(await Fingerprint.LoadAsync(directory, cancellationToken), inlineSmallBatches: InlineSmallBatches.OneStream));

        public DriftState? Drift => _edge?.Drift;

        public VerdictBatch Score(FloatTensor records, CancellationToken cancellationToken) =>
            _edge?.Score(records, cancellationToken) ?? _local!.Score(records, cancellationToken);

        public IReadOnlyList<VerdictExplanation> Explain(FloatTensor records, VerdictBatch verdicts, int topK, CancellationToken cancellationToken) =>
            _edge?.Explain(records, verdicts, topK, cancellationToken) ?? _local!.Explainer.Explain(records, verdicts, topK, cancellationToken);

        public void Dispose()
        {
            _edge?.Dispose();
            _local?.Dispose();
        }
    }

    private static string Describe(VerdictExplanation explanation)
    {
        var text = $"decided by {explanation.DecidingLayer} (its own error: p = {explanation.DecidingPValue:G3}{(explanation.DecidingLayerFired ? ", out of its interval" : "")})";
        if (explanation.Input is not { } input) return text + "; " + explanation.InputUnavailableReason;
        text += "; top input features " + string.Join(", ", input.TopFeatures.Take(5).Select(f => $"[{string.Join(",", f.Position)}] {f.Share:P0}"));
        if (input.LargestRegion is { } region)
            text += $"; largest regional error {region.Error:G3} in rows {region.Rows[0]}–{region.Rows[1] - 1}, columns {region.Columns[0]}–{region.Columns[1] - 1} ({region.Share:P0})";
        if (input.SurprisingColumns is { Count: > 0 } columns)
            text += "; most surprising columns " + string.Join(", ", columns.Take(3).Select(c => $"{c.Index} = {c.Value:G6} ({c.Surprise:F1} nats)"));
        return text;
    }
}
