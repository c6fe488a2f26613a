using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Core.Tensors;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Scoring;
using NeuralFP.TestData;

// dotnet run -c Release --project tests/NeuralFP.Functions.Benchmarks [-- rate seconds reference-records]
// dotnet run -c Release --project tests/NeuralFP.Functions.Benchmarks -- perf --model m.onnx --reference ref.npy [--records r.npy] [--rounds 3] [--panel] [--no-http] [--http-only] [--rate N] [--seconds S] [--baseline-worker other/NeuralFP.Functions.dll] [--nfp publish/nfp/nfp.dll]
// dotnet run -c Release --project tests/NeuralFP.Functions.Benchmarks -- coldstart --worker publish/app/NeuralFP.Functions.dll [--rounds 5]
if (args is ["perf", .. var perfArgs]) return await NeuralFP.Functions.Benchmarks.PerfBenchmark.RunAsync(perfArgs);
if (args is ["coldstart", .. var coldArgs]) return await NeuralFP.Functions.Benchmarks.ColdStartBenchmark.RunAsync(coldArgs);
if (args is ["gateway-client", .. var gatewayArgs]) return await NeuralFP.Functions.Benchmarks.GatewayClient.ChildAsync(gatewayArgs);
if (args is ["cpu-client", .. var clientArgs]) return await NeuralFP.Functions.Benchmarks.CpuProbe.ClientAsync(clientArgs);
if (args is ["bare-process", .. var bareArgs]) return NeuralFP.Functions.Benchmarks.BareProcess.Run(bareArgs);
var rate = args.Length > 0 ? int.Parse(args[0]) : 200;
var seconds = args.Length > 1 ? int.Parse(args[1]) : 30;
var referenceRecords = args.Length > 2 ? int.Parse(args[2]) : 10_000;
const string modelId = "fmnist-cnn";
const int batch = 256;

Console.WriteLine($"NeuralFP service benchmarks, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start");
await using var app = await TestApp.StartAsync(settings: [StorageNames.Setting(NeuralFP.Functions.Hosting.SettingNames.RegistryCacheMilliseconds, "2000")]);
var train = FashionMnist.Train().Take(referenceRecords).Images;
var test = FashionMnist.Test();

// 1. Time from the last blob landing to ready (default fingerprint options).
await app.UploadAsync(modelId, ModelFiles.Model, File.ReadAllBytes(RepoPaths.Model("fmnist_cnn.onnx")));
await app.UploadAsync(modelId, ModelFiles.Reference, Npy.ToBytes(train));
var landed = Stopwatch.StartNew();
var ready = await app.WaitForStatusAsync(modelId, ModelStatus.Ready);
var toReady = landed.Elapsed;

// 2. The engine in-process on batches of 256 (the scorer the service itself loaded).
using var lease = await app.Services.GetRequiredService<ScorerCache>().LeaseAsync(modelId, CancellationToken.None);
var model = lease.Model;
var batches = Enumerable.Range(0, 20).Select(i => test.Select(Enumerable.Range(i * batch, batch)).Images).ToArray();
double Median(IEnumerable<double> values) { var sorted = values.Order().ToArray(); return sorted[sorted.Length / 2]; }
foreach (var b in batches.Take(5)) model.Scorer.Score(b);
var engine = Median(Enumerable.Range(0, 5).Select(_ =>
{
    var clock = Stopwatch.StartNew();
    foreach (var b in batches) model.Scorer.Score(b);
    return batches.Length * batch / clock.Elapsed.TotalSeconds;
}));

// 3. The same batches over loopback HTTP (.npy bodies), one request at a time.
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = app.Address };
var bodies = batches.Select(Npy.ToBytes).ToArray();
async Task PostNpy(byte[] body)
{
    using var content = new ByteArrayContent(body);
    content.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
    using var response = await http.PostAsync($"api/models/{modelId}/verdicts", content);
    response.EnsureSuccessStatusCode();
    await response.Content.ReadAsByteArrayAsync();
}
foreach (var body in bodies.Take(5)) await PostNpy(body);
var rounds = new List<double>();
for (var round = 0; round < 5; round++)
{
    var clock = Stopwatch.StartNew();
    foreach (var body in bodies) await PostNpy(body);
    rounds.Add(bodies.Length * batch / clock.Elapsed.TotalSeconds);
}
var overHttp = Median(rounds);

// 3b. Two requests in flight: transport and serialisation of one overlap the scoring of the other.
var concurrentRounds = new List<double>();
for (var round = 0; round < 5; round++)
{
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < bodies.Length; i += 2)
        await Task.WhenAll(PostNpy(bodies[i]), PostNpy(bodies[(i + 1) % bodies.Length]));
    concurrentRounds.Add(bodies.Length * batch / clock.Elapsed.TotalSeconds);
}
var overHttpConcurrent = Median(concurrentRounds);

// 4. Single-record verdicts at a steady rate (open loop: sent on schedule, whether or not earlier ones returned).
var singles = Enumerable.Range(0, 200).Select(i =>
{
    var record = test.Images.Record(i).ToArray();
    return "{\"records\":[[" + string.Join(",", record.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]]}";
}).ToArray();
async Task<double> PostSingle(string json)
{
    var clock = Stopwatch.StartNew();
    using var response = await http.PostAsync($"api/models/{modelId}/verdicts", new StringContent(json, Encoding.UTF8, "application/json"));
    response.EnsureSuccessStatusCode();
    await response.Content.ReadAsByteArrayAsync();
    return clock.Elapsed.TotalMilliseconds;
}
for (var i = 0; i < 200; i++) await PostSingle(singles[i]);
if (Environment.GetEnvironmentVariable("BENCH_PROBE") == "1")
{
    async Task<double> GetHealth() { var c = Stopwatch.StartNew(); using var r = await http.GetAsync("api/health"); await r.Content.ReadAsByteArrayAsync(); return c.Elapsed.TotalMilliseconds; }
    async Task<double> GetMissing() { var c = Stopwatch.StartNew(); using var r = await http.GetAsync("api/nothing-here"); await r.Content.ReadAsByteArrayAsync(); return c.Elapsed.TotalMilliseconds; }
    for (var k = 0; k < 50; k++) { await GetHealth(); await GetMissing(); }
    var h = new List<double>(); var m = new List<double>(); var v = new List<double>();
    for (var k = 0; k < 300; k++) { h.Add(await GetHealth()); m.Add(await GetMissing()); v.Add(await PostSingle(singles[k % 200])); }
    Console.WriteLine($"PROBE closed-loop p50: health {Median(h):F2} ms, not-found {Median(m):F2} ms, verdict {Median(v):F2} ms");
    // The same requests 200 ms apart (the 5/s pace): what an idle gap adds to each.
    var ph = new List<double>(); var pm = new List<double>(); var pv = new List<double>();
    for (var k = 0; k < 20; k++)
    {
        await Task.Delay(200); pm.Add(await GetMissing());
        await Task.Delay(200); ph.Add(await GetHealth());
        await Task.Delay(200); pv.Add(await PostSingle(singles[k]));
    }
    Console.WriteLine($"PROBE 200 ms apart p50: health {Median(ph):F2} ms, not-found {Median(pm):F2} ms, verdict {Median(pv):F2} ms");
}
var total = rate * seconds;
var pending = new Task<double>[total];
var start = Stopwatch.StartNew();
for (var i = 0; i < total; i++)
{
    var due = TimeSpan.FromSeconds((double)i / rate);
    var wait = due - start.Elapsed;
    if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
    pending[i] = Task.Run(() => PostSingle(singles[i % singles.Length]));
}
var latencies = (await Task.WhenAll(pending)).Order().ToArray();
var achieved = total / start.Elapsed.TotalSeconds;
double Quantile(double q) => latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];

Console.WriteLine();
Console.WriteLine("| measure | result |");
Console.WriteLine("|---|---:|");
Console.WriteLine($"| last blob landing → ready, CNN, {referenceRecords:N0} reference records | {toReady.TotalSeconds:F1} s (build {ready.BuildSeconds:F1} s) |");
Console.WriteLine($"| engine in-process, batches of {batch} (median of 5 rounds) | {engine:N0} records/s |");
Console.WriteLine($"| loopback HTTP, .npy batches of {batch}, sequential (median of 5 rounds) | {overHttp:N0} records/s |");
Console.WriteLine($"| ratio HTTP / in-process | {overHttp / engine:F2} |");
Console.WriteLine($"| loopback HTTP, .npy batches of {batch}, two requests in flight (median of 5 rounds) | {overHttpConcurrent:N0} records/s |");
Console.WriteLine($"| ratio HTTP (two in flight) / in-process | {overHttpConcurrent / engine:F2} |");
Console.WriteLine($"| single-record verdicts at {rate}/s for {seconds} s ({achieved:F0}/s achieved, {latencies.Length:N0} requests) | p50 {Quantile(0.5):F2} ms, p90 {Quantile(0.9):F2} ms, p99 {Quantile(0.99):F2} ms, max {latencies[^1]:F2} ms |");
Console.WriteLine($"\nload average at end {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
return 0;
