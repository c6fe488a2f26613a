using System.Diagnostics;
using System.Globalization;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Benchmarks;

/// <summary>
/// Build time per reference record on the CNN fixture (issue 12 bar: ≤ 0.3 ms), the reference streamed from a .npy file
/// as the service does, with the default options (every detector) and with the fingerprint alone. Sizes from
/// NFP_BUILD_RECORDS (comma-separated, default 10000,60000). Beside wall time, the process's CPU time per record: on a
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
            output.WriteLine("| reference records | options | wall s | wall ms per record | CPU ms per record | records the autoencoders trained on |");
            output.WriteLine("|---:|---|---:|---:|---:|---:|");
            foreach (var records in sizes)
            {
                var file = Path.Combine(work, $"reference-{records}.npy");
                await File.WriteAllBytesAsync(file, Npy.ToBytes(train.Take(records).Images));
                foreach (var (label, options) in new[] { ("defaults (fingerprint + 8 detectors)", new FingerprintOptions()), ("fingerprint only (detectors: [])", new FingerprintOptions { Detectors = [] }) })
                {
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    var fingerprint = await FingerprintBuilder.BuildAsync(model, RecordSource.FromNpy(() => File.OpenRead(file)), options, new BuildLimits(), new Progress<string>(Console.Error.WriteLine));
                    var seconds = clock.Elapsed.TotalSeconds;
                    var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {records:N0} | {label} | {seconds:F1} | {seconds * 1000 / records:F3} | {cpuSeconds * 1000 / records:F3} | {fingerprint.Manifest.Calibration.TrainRecords:N0} |"));
                }
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
