using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Registry;
using NeuralFP.Core.Tensors;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>
/// <c>perf --cpu --reference ref.npy [--records r.npy] [--requests N] [--kinds a,b] [--baseline-worker dll | --baseline-setting NAME=VALUE]</c>:
/// CPU per request in each process of the HTTP path, closed loop, one request at a time: the client (a child process of its
/// own, so its cost is not the host's), the local host (this process: Kestrel, routing, the forwarder, gRPC), the worker
/// process and Azurite, for each kind of request, with the idle background (blob and queue polling) of the same window
/// subtracted from the local host's and Azurite's figures. With a baseline both apps are measured block by block, alternating.
/// </summary>
internal static class CpuProbe
{
    private const string ModelId = "cpu";

    /// <summary>The kinds of request, from the bare invocation path to a batch of 256.</summary>
    private static readonly string[] Kinds = ["not-found", "health", "verdict-npy-1", "verdict-json-1", "verdict-npy-256"];

    public static async Task<int> RunAsync(PerfOptions options, TextWriter output, IReadOnlyList<string>? kinds = null)
    {
        var Kinds = kinds is { Count: > 0 } ? kinds.ToArray() : CpuProbe.Kinds;
        var requests = options.CpuRequests;
        var model = await File.ReadAllBytesAsync(options.Model);
        var reference = await File.ReadAllBytesAsync(options.Reference);
        var records = Npy.Read(File.OpenRead(options.Records ?? options.Reference));
        var recordsPath = options.Records ?? options.Reference;

        async Task<TestApp> StartReadyAsync(string? workerDll, params KeyValuePair<string, string?>[] settings)
        {
            var app = await TestApp.StartAsync(settings: [StorageNames.Setting(Hosting.SettingNames.RegistryCacheMilliseconds, "2000"), .. settings], workerDll: workerDll);
            // Start-up: the worker's CPU from its launch to its functions loaded, then to its first answer (a cold start's bill).
            var pid = app.Host.WorkerProcessId ?? 0;
            var started = ProcessCpu.Seconds(pid);
            using (var first = await app.Http.GetAsync("api/health")) await first.Content.ReadAsByteArrayAsync();
            output.WriteLine($"worker {pid} ({workerDll ?? "this build"}{(settings.Length > 0 ? $", {settings[0].Key}={settings[0].Value}" : "")}): CPU to functions loaded {started:F2} s, to its first answer {ProcessCpu.Seconds(pid):F2} s");
            await app.UploadAsync(ModelId, ModelFiles.Model, model);
            await app.UploadAsync(ModelId, ModelFiles.Reference, reference);
            await app.WaitForStatusAsync(ModelId, ModelStatus.Ready);
            return app;
        }
        await using var app = await StartReadyAsync(null);
        await using var baseline = options.BaselineWorker is { } dll ? await StartReadyAsync(dll)
            : options.BaselineSetting is { } setting ? await StartReadyAsync(null, StorageNames.Setting(setting.Split('=')[0], setting.Split('=', 2)[1]))
            : null;
        var apps = baseline is null ? new[] { ("this", app) } : [("this", app), ("baseline", baseline)];
        output.WriteLine($"CPU per request, closed loop, {requests} requests per block ({requests / 8} for batches of 256), medians over {options.Rounds} blocks per app{(baseline is null ? "" : ", the two apps alternating block by block (A B, B A, …)")}; load average {PerfBenchmark.LoadAverage()}");
        output.WriteLine($"worker pids: {string.Join(", ", apps.Select(a => $"{a.Item1} {a.Item2.Host.WorkerProcessId}"))}; local host and this process {Environment.ProcessId}");

        // Every kind once on every app first (JIT, tiering, connections), then the background: what the processes spend with
        // no request at all (the local host's blob and queue polling, timers), subtracted from every block.
        // The worker's CPU from the model being ready through the warm-up and 5 s after it: mostly the JIT compiling and
        // re-compiling (tiered compilation) the request path, what every new instance pays before its steady state.
        var warmStart = Snapshot(app, baseline);
        foreach (var kind in Kinds)
            foreach (var (_, target) in apps)
            {
                using var warm = Client.Start(target.Address, kind, recordsPath, kind.EndsWith("-256", StringComparison.Ordinal) ? 50 : 300);
                await warm.ReadyAsync();
                await warm.GoAsync();
            }
        await Task.Delay(TimeSpan.FromSeconds(5));
        var warmCost = Snapshot(app, baseline).Minus(warmStart);
        output.WriteLine($"worker CPU through the warm-up ({Kinds.Length} kinds × 300 requests, 50 for batches) and 5 s after: this {warmCost.Worker:F2} s{(baseline is null ? "" : $", baseline {warmCost.BaselineWorker:F2} s")}");
        var idle = Snapshot(app, baseline);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var idleCost = Snapshot(app, baseline).Minus(idle).PerSecond(5);
        output.WriteLine($"idle background, CPU ms per second: local host {idleCost.Host:F1}, worker {idleCost.Worker:F1}, baseline worker {idleCost.BaselineWorker:F1}, Azurite {idleCost.Azurite:F1}");

        var results = new Dictionary<(string App, string Kind), List<Cost>>();
        foreach (var kind in Kinds)
        {
            var n = kind.EndsWith("-256", StringComparison.Ordinal) ? Math.Max(20, requests / 8) : requests;
            for (var round = 0; round < options.Rounds; round++)
            {
                // A B, then B A: whichever goes first in a round runs right after the other kind's blocks; alternate that too.
                foreach (var (name, target) in round % 2 == 0 ? apps : apps.Reverse())
                {
                    using var client = Client.Start(target.Address, kind, recordsPath, n);
                    await client.ReadyAsync();
                    var before = Snapshot(app, baseline);
                    var clock = Stopwatch.StartNew();
                    var clientCpu = await client.GoAsync();
                    var seconds = clock.Elapsed.TotalSeconds;
                    // Polling is background; the workers have none to speak of, and their JIT settling down is part of what a request costs.
                    var cost = Snapshot(app, baseline).Minus(before).Minus(idleCost.Times(seconds) with { Worker = 0, BaselineWorker = 0 });
                    var worker = target == app ? cost.Worker : cost.BaselineWorker;
                    var perRequest = new Cost(cost.Host * 1000 / n, worker * 1000 / n, 0, cost.Azurite * 1000 / n, clientCpu * 1000 / n, seconds * 1000 / n);
                    if (!results.TryGetValue((name, kind), out var list)) results[(name, kind)] = list = [];
                    list.Add(perRequest);
                }
            }
        }
        output.WriteLine();
        output.WriteLine("| request (closed loop) | app | client | local host | worker | Azurite | all | wall ms/request |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var kind in Kinds)
            foreach (var (name, _) in apps)
            {
                var list = results[(name, kind)];
                double M(Func<Cost, double> f) => Timing.Median(list.Select(f));
                output.WriteLine($"| {kind} | {name} | {M(c => c.Client):F3} | {M(c => c.Host):F3} | **{M(c => c.Worker):F3}** | {M(c => c.Azurite):F3} | {M(c => c.Client + c.Host + c.Worker + c.Azurite):F3} | {M(c => c.Wall):F3} |");
            }
        output.WriteLine($"(ms of CPU per request, user + system, background subtracted; load average {PerfBenchmark.LoadAverage()} at end)");
        return 0;
    }

    /// <summary>CPU seconds (or ms per request) by process.</summary>
    private sealed record Cost(double Host, double Worker, double BaselineWorker, double Azurite, double Client = 0, double Wall = 0)
    {
        public Cost Minus(Cost other) => new(Host - other.Host, Worker - other.Worker, BaselineWorker - other.BaselineWorker, Azurite - other.Azurite);
        public Cost PerSecond(double seconds) => new(Host * 1000 / seconds, Worker * 1000 / seconds, BaselineWorker * 1000 / seconds, Azurite * 1000 / seconds);
        /// <summary>A per-second cost (ms/s) over <paramref name="seconds"/>, in seconds.</summary>
        public Cost Times(double seconds) => new(Host * seconds / 1000, Worker * seconds / 1000, BaselineWorker * seconds / 1000, Azurite * seconds / 1000);
    }

    private static Cost Snapshot(TestApp app, TestApp? baseline) => new(
        ProcessCpu.Own(Environment.ProcessId),
        ProcessCpu.Seconds(app.Host.WorkerProcessId ?? 0),
        baseline is null ? 0 : ProcessCpu.Seconds(baseline.Host.WorkerProcessId ?? 0),
        ProcessCpu.Seconds(AzuriteServer.Instance.ProcessId));

    /// <summary>The client, a child process: warms up, says READY, runs its requests on GO, prints its own CPU seconds for them.</summary>
    private sealed class Client : IDisposable
    {
        private readonly Process _process;

        private Client(Process process) => _process = process;

        public static Client Start(Uri address, string kind, string recordsPath, int requests)
        {
            var command = WholeProcess.Self("cpu-client", address.ToString(), kind, recordsPath, requests.ToString(CultureInfo.InvariantCulture));
            var start = new ProcessStartInfo(command[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in command.Skip(1)) start.ArgumentList.Add(a);
            return new Client(Process.Start(start)!);
        }

        public async Task ReadyAsync()
        {
            var line = await _process.StandardOutput.ReadLineAsync();
            if (line != "READY") throw new InvalidOperationException($"The client said '{line}' instead of READY.");
        }

        public async Task<double> GoAsync()
        {
            await _process.StandardInput.WriteLineAsync("GO");
            await _process.StandardInput.FlushAsync();
            var line = await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The client ended without a result.");
            await _process.WaitForExitAsync();
            return double.Parse(line, CultureInfo.InvariantCulture);
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill();
            _process.Dispose();
        }

        /// <summary>The child's side: <c>cpu-client address kind records.npy n</c>.</summary>
        public static async Task<int> RunAsync(string[] args)
        {
            var (address, kind, path, n) = (new Uri(args[0]), args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
            var records = Npy.Read(File.OpenRead(path));
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = address };
            var url = $"api/models/{ModelId}/verdicts";
            var single = Npy.ToBytes(records.Slice(0, 1));
            var batch = Npy.ToBytes(records.Slice(0, 256));
            var json = System.Text.Encoding.UTF8.GetBytes("{\"records\":[[" + string.Join(",", records.Record(0).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]]}");
            Func<Task> send = kind switch
            {
                "not-found" => () => Get("api/nothing-here", System.Net.HttpStatusCode.NotFound),
                "health" => () => Get("api/health", System.Net.HttpStatusCode.OK),
                "verdict-npy-1" => () => Post(single, "application/x-npy"),
                "verdict-json-1" => () => Post(json, "application/json"),
                "verdict-npy-256" => () => Post(batch, "application/x-npy"),
                _ => throw new ArgumentException($"Unknown kind {kind}."),
            };
            for (var i = 0; i < Math.Min(n, 100); i++) await send();
            Console.WriteLine("READY");
            if (Console.ReadLine() != "GO") return 1;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < n; i++) await send();
            Console.WriteLine((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds.ToString("R", CultureInfo.InvariantCulture));
            return 0;

            async Task Get(string path, System.Net.HttpStatusCode expected)
            {
                using var response = await http.GetAsync(path);
                await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode != expected) throw new InvalidOperationException($"{path}: {response.StatusCode}");
            }

            async Task Post(byte[] body, string contentType)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
                using var response = await http.PostAsync(url, content);
                await response.Content.ReadAsByteArrayAsync();
                response.EnsureSuccessStatusCode();
            }
        }
    }

    public static Task<int> ClientAsync(string[] args) => Client.RunAsync(args);
}
