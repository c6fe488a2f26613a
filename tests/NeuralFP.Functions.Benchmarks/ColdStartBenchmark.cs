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
/// output against <c>scripts/publish</c>'s ReadyToRun package. With <c>--preload</c> each build is also started with
/// NeuralFP__PreloadModels naming the model, and asked only once the preload is logged (an always-ready instance, or
/// one that starts ahead of its traffic): its first answer is then a warm one.
/// </summary>
internal static class ColdStartBenchmark
{
    private const string ModelId = "cold";

    public static async Task<int> RunAsync(string[] args)
    {
        List<string> workers = [];
        var rounds = 5;
        var preload = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--worker" when i + 1 < args.Length: workers.Add(Path.GetFullPath(args[++i])); break;
                case "--rounds" when i + 1 < args.Length: rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--preload": preload = true; break;
                default: throw new ArgumentException($"coldstart: unknown argument '{args[i]}'. Usage: coldstart --worker a/NeuralFP.Functions.dll [--worker b/...] [--rounds 5] [--preload]");
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

        (string Worker, bool Preload)[] contenders = [.. workers.SelectMany(w => preload ? new[] { (w, false), (w, true) } : [(w, false)])];
        var samples = contenders.Select(_ => new List<Start>()).ToArray();
        for (var round = 0; round <= rounds; round++)
        {
            for (var c = 0; c < contenders.Length; c++)
            {
                var start = await MeasureAsync(contenders[c].Worker, contenders[c].Preload, builder.Names, batch, single);
                if (round > 0) samples[c].Add(start); // round 0 warms the disk cache and the local host
            }
        }

        Console.WriteLine();
        Console.WriteLine("| worker | up, functions indexed (+ preloaded) | first batch of 256 answered (of which the worker's reading and scoring) | start to first answer | worker CPU to first answer | first single record | warm batch of 256 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        for (var c = 0; c < contenders.Length; c++)
        {
            double M(Func<Start, double> figure) => Timing.Median(samples[c].Select(figure));
            var label = (contenders[c].Worker == TestApp.WorkerDll ? "build output (JIT)" : Path.GetRelativePath(Environment.CurrentDirectory, Path.GetDirectoryName(contenders[c].Worker)!))
                + (contenders[c].Preload ? ", preloaded" : "");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {M(s => s.UpMs):F0} ms | {M(s => s.FirstBatchMs):F0} ms ({M(s => s.FirstWorkerMs):F0} ms) | **{M(s => s.UpMs + s.FirstBatchMs):F0} ms** | {M(s => s.CpuSeconds):F2} s | {M(s => s.FirstSingleMs):F1} ms | {M(s => s.WarmBatchMs):F1} ms |"));
        }
        return 0;
    }

    private sealed record Start(double UpMs, double FirstBatchMs, double FirstWorkerMs, double CpuSeconds, double FirstSingleMs, double WarmBatchMs);

    private static async Task<Start> MeasureAsync(string workerDll, bool preload, StorageNames names, byte[] batch, byte[] single)
    {
        var clock = Stopwatch.StartNew();
        await using var app = await TestApp.StartAsync(names: names, workerDll: workerDll,
            settings: preload ? [StorageNames.Setting(NeuralFP.Functions.Hosting.SettingNames.PreloadModels, ModelId)] : null);
        if (preload)
            await Eventually.UntilAsync(() => Task.FromResult(app.Logs.Contains(Microsoft.Extensions.Logging.LogLevel.Information, $"Model {ModelId}: preloaded version")), "the preload");
        var up = clock.Elapsed.TotalMilliseconds;
        var pid = app.Host.WorkerProcessId ?? throw new InvalidOperationException("The worker process is not running.");
        using var http = new HttpClient { BaseAddress = app.Address };
        var url = $"api/models/{ModelId}/verdicts";
        clock.Restart();
        var (_, firstWorkerMs) = await PerfBenchmark.PostTimedAsync(http, url, batch);
        var first = clock.Elapsed.TotalMilliseconds;
        var cpu = ProcessCpu.Own(pid);
        clock.Restart();
        await PerfBenchmark.PostAsync(http, url, single);
        var firstSingle = clock.Elapsed.TotalMilliseconds;
        for (var i = 0; i < 10; i++) await PerfBenchmark.PostAsync(http, url, batch);
        clock.Restart();
        await PerfBenchmark.PostAsync(http, url, batch);
        return new Start(up, first, firstWorkerMs, cpu, firstSingle, clock.Elapsed.TotalMilliseconds);
    }
}
