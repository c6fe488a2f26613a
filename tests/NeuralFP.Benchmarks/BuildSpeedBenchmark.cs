using System.Diagnostics;
using System.Globalization;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Benchmarks;

/// <summary>
/// Build time per reference record on the CNN fixture (issue 12 bar: ≤ 0.3 ms), the reference streamed from a .npy file
/// as the service does, with the default options (every detector) and with the fingerprint alone. Sizes from
/// NFP_BUILD_RECORDS (comma-separated, default 10000,60000), option sets from NFP_BUILD_OPTIONS (defaults, fingerprint). Beside wall time, the process's CPU time per record: on a
/// shared machine it is the steadier figure (a quiet 2-core machine's wall time lies between CPU/2 and CPU).
/// </summary>
public static class BuildSpeedBenchmark
{
    public static async Task RunAsync(TextWriter output)
    {
        var sizes = (Environment.GetEnvironmentVariable("NFP_BUILD_RECORDS") ?? "10000,60000")
            .Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var model = BenchmarkData.Model("fmnist_cnn.onnx");
        var work = Directory.CreateTempSubdirectory("nfp-build-speed-").FullName;
        try
        {
            var train = FashionMnist.Train();
            var profiles = new List<(string Run, IReadOnlyList<BuildPhase> Phases)>();
            output.WriteLine("| reference records | options | wall s | wall ms per record | CPU ms per record | records the autoencoders trained on |");
            output.WriteLine("|---:|---|---:|---:|---:|---:|");
            foreach (var records in sizes)
            {
                var file = Path.Combine(work, $"reference-{records}.npy");
                await File.WriteAllBytesAsync(file, Npy.ToBytes(train.Take(records).Images));
                foreach (var (label, options) in Variants())
                {
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    var outcome = await Task.Run(() => FingerprintBuilder.Build(model, RecordSource.FromNpy(() => File.OpenRead(file)), options, new Progress<string>(Console.Error.WriteLine), CancellationToken.None, new BuildLimits()));
                    var fingerprint = outcome.Fingerprint;
                    profiles.Add((string.Create(CultureInfo.InvariantCulture, $"{records:N0}, {label}"), outcome.Phases));
                    var seconds = clock.Elapsed.TotalSeconds;
                    var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {records:N0} | {label} | {seconds:F1} | {seconds * 1000 / records:F3} | {cpuSeconds * 1000 / records:F3} | {fingerprint.Manifest.Calibration.TrainRecords:N0} |"));
                }
            }
            WritePhases(output, profiles);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The option sets to build with: NFP_BUILD_OPTIONS "defaults", "fingerprint" or both (default).</summary>
    private static IEnumerable<(string Label, FingerprintOptions Options)> Variants()
    {
        var chosen = Environment.GetEnvironmentVariable("NFP_BUILD_OPTIONS") ?? "defaults,fingerprint";
        if (chosen.Contains("defaults", StringComparison.OrdinalIgnoreCase)) yield return ("defaults (fingerprint + 8 detectors)", new FingerprintOptions());
        if (chosen.Contains("fingerprint", StringComparison.OrdinalIgnoreCase)) yield return ("fingerprint only (detectors: [])", new FingerprintOptions { Detectors = [] });
    }

    /// <summary>Where each build's time went: one row per phase, wall s (CPU s; peak RSS so far) per build; nested rows are wall only.</summary>
    private static void WritePhases(TextWriter output, IReadOnlyList<(string Run, IReadOnlyList<BuildPhase> Phases)> profiles)
    {
        if (profiles.Count == 0) return;
        output.WriteLine();
        output.WriteLine("Phases, wall s (CPU s of the whole process; peak RSS so far):");
        output.WriteLine();
        output.WriteLine($"| phase | {string.Join(" | ", profiles.Select(p => p.Run))} |");
        output.WriteLine($"|---|{string.Concat(profiles.Select(_ => "---:|"))}");
        foreach (var name in profiles[0].Phases.Select(p => p.Name))
        {
            var cells = profiles.Select(p => p.Phases.FirstOrDefault(x => x.Name == name) is { } phase
                ? double.IsNaN(phase.CpuSeconds)
                    ? string.Create(CultureInfo.InvariantCulture, $"{phase.WallSeconds:F2}")
                    : string.Create(CultureInfo.InvariantCulture, $"{phase.WallSeconds:F2} ({phase.CpuSeconds:F2}; {phase.PeakMiB:F0} MiB)")
                : "");
            output.WriteLine($"| {name} | {string.Join(" | ", cells)} |");
        }
    }
}
