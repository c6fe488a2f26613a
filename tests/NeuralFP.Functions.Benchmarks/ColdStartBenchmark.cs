using System.Diagnostics;
using System.Globalization;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Registry;
using NeuralFP.Core.Tensors;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>
/// A serverless instance's cold start, worker against worker: each round starts a fresh worker process of every build in
/// turn (the local host, Azurite and the fingerprint stay), and times what an instance's first caller waits for: the
/// worker up with its functions indexed, then its first answer to a batch of 256 records (the fingerprint read from blob
/// storage, the ONNX Runtime session created, the request path compiled), then its first single record; beside them the
/// worker's CPU time until that first answer and a warm batch after it. Builds are given as worker dlls, e.g. the build
/// output against <c>scripts/publish</c>'s ReadyToRun package.
/// </summary>
internal static class ColdStartBenchmark
{
    private const string ModelId = "cold";

    public static async Task<int> RunAsync(string[] args)
    {
        List<string> workers = [];
        var rounds = 5;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--worker" when i + 1 < args.Length: workers.Add(Path.GetFullPath(args[++i])); break;
                case "--rounds" when i + 1 < args.Length: rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"coldstart: unknown argument '{args[i]}'. Usage: coldstart --worker a/NeuralFP.Functions.dll [--worker b/...] [--rounds 5]");
            }
        }
        if (workers.Count == 0) throw new ArgumentException("coldstart needs at least one --worker (e.g. publish/app/NeuralFP.Functions.dll from scripts/publish); the build output is measured beside it.");
        workers.Insert(0, TestApp.WorkerDll);
        foreach (var dll in workers.Where(d => !File.Exists(d))) throw new FileNotFoundException($"coldstart: {dll} does not exist.");

        var test = FashionMnist.Test();
        var batch = Npy.ToBytes(test.Take(256).Images);
        var single = Npy.ToBytes(test.Take(1).Images);
        Console.WriteLine($"NeuralFP cold start, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start; {rounds} rounds, the workers in turn, medians");
        await using var builder = await TestApp.StartAsync();
        await builder.UploadAsync(ModelId, ModelFiles.Model, File.ReadAllBytes(RepoPaths.Model("fmnist_cnn.onnx")));
        await builder.UploadAsync(ModelId, ModelFiles.Reference, Npy.ToBytes(FashionMnist.Train().Take(10_000).Images));
        await builder.WaitForStatusAsync(ModelId, ModelStatus.Ready);

        var samples = workers.Select(_ => new List<Start>()).ToArray();
        for (var round = 0; round <= rounds; round++)
        {
            for (var w = 0; w < workers.Count; w++)
            {
                var start = await MeasureAsync(workers[w], builder.Names, batch, single);
                if (round > 0) samples[w].Add(start); // round 0 warms the disk cache and the local host
            }
        }

        Console.WriteLine();
        Console.WriteLine("| worker | up, functions indexed | first batch of 256 answered | start to first answer | worker CPU to first answer | first single record | warm batch of 256 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        for (var w = 0; w < workers.Count; w++)
        {
            double M(Func<Start, double> figure) => Timing.Median(samples[w].Select(figure));
            var label = w == 0 ? "build output (JIT)" : Path.GetRelativePath(Environment.CurrentDirectory, Path.GetDirectoryName(workers[w])!);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {M(s => s.UpMs):F0} ms | {M(s => s.FirstBatchMs):F0} ms | **{M(s => s.UpMs + s.FirstBatchMs):F0} ms** | {M(s => s.CpuSeconds):F2} s | {M(s => s.FirstSingleMs):F1} ms | {M(s => s.WarmBatchMs):F1} ms |"));
        }
        return 0;
    }

    private sealed record Start(double UpMs, double FirstBatchMs, double CpuSeconds, double FirstSingleMs, double WarmBatchMs);

    private static async Task<Start> MeasureAsync(string workerDll, StorageNames names, byte[] batch, byte[] single)
    {
        var clock = Stopwatch.StartNew();
        await using var app = await TestApp.StartAsync(names: names, workerDll: workerDll);
        var up = clock.Elapsed.TotalMilliseconds;
        var pid = app.Host.WorkerProcessId ?? throw new InvalidOperationException("The worker process is not running.");
        using var http = new HttpClient { BaseAddress = app.Address };
        var url = $"api/models/{ModelId}/verdicts";
        clock.Restart();
        await PerfBenchmark.PostAsync(http, url, batch);
        var first = clock.Elapsed.TotalMilliseconds;
        var cpu = ProcessCpu.Own(pid);
        clock.Restart();
        await PerfBenchmark.PostAsync(http, url, single);
        var firstSingle = clock.Elapsed.TotalMilliseconds;
        for (var i = 0; i < 10; i++) await PerfBenchmark.PostAsync(http, url, batch);
        clock.Restart();
        await PerfBenchmark.PostAsync(http, url, batch);
        return new Start(up, first, cpu, firstSingle, clock.Elapsed.TotalMilliseconds);
    }
}
