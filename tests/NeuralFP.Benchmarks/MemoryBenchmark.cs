using System.Diagnostics;
using System.Globalization;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Benchmarks;

/// <summary>
/// Peak resident memory (VmHWM) of a fingerprint build at 1k, 10k and 60k reference records — the reference streamed
/// from a .npy file as the service does — and of 20 fingerprints loaded and matched at once, each in its own process so
/// the peaks do not mix. Compared with a budget (NFP_MEMORY_BUDGET_MB, default 1536 MB). Autoencoders train for 3 epochs:
/// memory does not depend on the epoch count, time does.
/// </summary>
public static class MemoryBenchmark
{
    private static readonly FingerprintOptions Options = new() { Autoencoder = new AutoencoderOptions { MaxEpochs = 3 } };

    public static async Task RunAsync(TextWriter output)
    {
        var budgetMb = long.TryParse(Environment.GetEnvironmentVariable("NFP_MEMORY_BUDGET_MB"), NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : 1536;
        var work = Directory.CreateTempSubdirectory("nfp-memory-").FullName;
        try
        {
            var train = FashionMnist.Train();
            var rows = new List<(string Scenario, long PeakKb, double Seconds)>();
            foreach (var records in new[] { 1_000, 10_000, 60_000 })
            {
                var file = Path.Combine(work, $"reference-{records}.npy");
                await File.WriteAllBytesAsync(file, Npy.ToBytes(train.Take(records).Images));
                var (peak, seconds) = await ChildAsync("build", file);
                rows.Add(($"build, {records:N0} reference records (streamed .npy)", peak, seconds));
            }
            var fingerprint = Path.Combine(work, "fingerprint");
            await File.WriteAllBytesAsync(Path.Combine(work, "match.npy"), Npy.ToBytes(FashionMnist.Test().Take(256).Images));
            _ = await ChildAsync("prepare", Path.Combine(work, "reference-1000.npy"), fingerprint);
            var (matchPeak, matchSeconds) = await ChildAsync("match", fingerprint, Path.Combine(work, "match.npy"));
            rows.Add(("20 models loaded and matched at once (256 records)", matchPeak, matchSeconds));

            output.WriteLine($"| scenario | peak RSS (MiB) | budget (MiB) | within | seconds |");
            output.WriteLine("|---|---:|---:|:---:|---:|");
            foreach (var (scenario, peakKb, seconds) in rows)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {scenario} | {peakKb / 1024.0:F0} | {budgetMb} | {(peakKb / 1024 <= budgetMb ? "yes" : "NO")} | {seconds:F1} |"));
            // Issue 12's bars: a 60,000-record build within 600 MiB, growing by less than 2 KiB per record from 10,000 to 60,000.
            var growthKib = (rows[2].PeakKb - rows[1].PeakKb) / 50_000.0;
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Growth from 10,000 to 60,000 reference records: {growthKib:F2} KiB per record (bar < 2 KiB: {(growthKib < 2 ? "met" : "NOT met")}); 60,000-record build {rows[2].PeakKb / 1024.0:F0} MiB (bar <= 600 MiB: {(rows[2].PeakKb <= 600 * 1024 ? "met" : "NOT met")}); maxTrainingRecords {Options.MaxTrainingRecords:N0}."));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The child side: one scenario, then its own peak RSS on stdout.</summary>
    public static async Task<int> ChildMainAsync(string[] args)
    {
        var clock = Stopwatch.StartNew();
        var model = await File.ReadAllBytesAsync(RepoPaths.Model("fmnist_cnn.onnx"));
        switch (args[0])
        {
            case "build":
                _ = await FingerprintBuilder.BuildAsync(model, RecordSource.FromNpy(() => File.OpenRead(args[1])), Options, new BuildLimits());
                break;
            case "prepare":
                var built = await FingerprintBuilder.BuildAsync(model, RecordSource.FromNpy(() => File.OpenRead(args[1])), Options, new BuildLimits());
                await built.SaveAsync(args[2]);
                break;
            case "match":
                var batch = Npy.Read(File.OpenRead(args[2]));
                var scorers = new List<FingerprintScorer>();
                for (var i = 0; i < 20; i++) scorers.Add(new FingerprintScorer(await Fingerprint.LoadAsync(args[1])));
                foreach (var (scorer, i) in scorers.Select((s, i) => (s, i))) _ = scorer.Match($"model-{i}", batch);
                foreach (var scorer in scorers) scorer.Dispose();
                break;
            default:
                throw new ArgumentException($"Unknown memory scenario '{args[0]}'.");
        }
        var peak = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        Console.WriteLine($"{peak.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]} {clock.Elapsed.TotalSeconds.ToString(CultureInfo.InvariantCulture)}");
        return 0;
    }

    private static async Task<(long PeakKb, double Seconds)> ChildAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (!Environment.ProcessPath!.EndsWith("NeuralFP.Benchmarks", StringComparison.Ordinal)) start.ArgumentList.Add(typeof(MemoryBenchmark).Assembly.Location);
        start.ArgumentList.Add("memory-child");
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"Memory scenario {string.Join(' ', args)} exited with {process.ExitCode}.");
        var parts = text.Trim().Split('\n')[^1].Split(' ');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
