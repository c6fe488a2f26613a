using System.Net;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Scoring;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>
/// <c>perf --model m.onnx --reference ref.npy</c>: the performance issue's whole table on any model, each path beside
/// bare ONNX Runtime on the same model in the same run, contenders alternating within every round, medians of the
/// rounds (the first, warm-up round dropped). Whole-process rows run <c>nfp</c> and a bare-model process under
/// <c>/usr/bin/time</c>. Figures are printed, never asserted.
/// </summary>
internal static class PerfBenchmark
{
    internal const int Batch = 256;

    /// <summary>The 20 batches of <see cref="Batch"/> records the HTTP batch rows send (in-process and over HTTP alike).</summary>
    internal static FloatTensor[] Batches(FloatTensor records) =>
        [.. Enumerable.Range(0, 20).Select(i => records.Slice(i * Batch % (records.Records - Batch + 1), Batch))];

    /// <summary>A gateway's warm-up curve as the rows print it: records/s per round, in thousands.</summary>
    internal static string WarmUpCurve(GatewayClient.Rounds rounds) =>
        string.Join(" → ", rounds.WarmUpHttp.Select(r => (r / 1000).ToString("F1", System.Globalization.CultureInfo.InvariantCulture))) + "k rec/s";

    /// <summary>Posts one <c>.npy</c> body and returns the answer's length (a failure throws).</summary>
    internal static async Task<long> PostAsync(HttpClient http, string url, byte[] body) => (await PostTimedAsync(http, url, body)).Bytes;

    /// <summary>
    /// Posts one <c>.npy</c> body; returns the answer's length and the worker's own time for it (reading plus scoring, from
    /// the answer's <c>Server-Timing</c> header; 0 when the worker sends none).
    /// </summary>
    internal static async Task<(long Bytes, double WorkerMilliseconds)> PostTimedAsync(HttpClient http, string url, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
        using var response = await http.PostAsync(url, content);
        response.EnsureSuccessStatusCode();
        var worker = response.Headers.TryGetValues("Server-Timing", out var timing)
            ? System.Text.RegularExpressions.Regex.Matches(string.Join(',', timing), @"dur=([0-9.]+)").Sum(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            : 0;
        return ((await response.Content.ReadAsByteArrayAsync()).LongLength, worker);
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var output = Console.Out;
        if (args.Contains("--panel") || args.Contains("--sessions") || args.Contains("--small-batches"))
        {
            output.WriteLine($"NeuralFP perf, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {LoadAverage()} at start");
            var rounds = Array.IndexOf(args, "--rounds") is var i and >= 0 ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : 3;
            if (args.Contains("--sessions")) await SessionOptionsBenchmark.RunAsync(rounds, args.Contains("--global-pool"), RepoPaths.Model("fmnist_cnn.onnx"), output);
            if (args.Contains("--small-batches")) await SmallBatchBenchmark.RunAsync(rounds, RepoPaths.Model("fmnist_cnn.onnx"), output);
            if (args.Contains("--panel")) await PanelRows.RunAsync(rounds, output, heldOut: args.Contains("--holdout"));
            return 0;
        }
        PerfOptions options;
        try
        {
            options = PerfOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"{e.Message}\nUsage: perf --model m.onnx --reference ref.npy [--records r.npy] [--rounds 3] [--no-http|--http-only] [--rate N (0: no open loop)] [--seconds S] [--baseline-worker dll] [--baseline-setting NAME=VALUE] [--cpu [--requests N] [--kinds not-found,health,verdict-npy-1,verdict-json-1,verdict-npy-256]]; or perf --sessions [--global-pool] | --small-batches | --panel");
            return 2;
        }
        if (args.Contains("--cpu"))
            return await CpuProbe.RunAsync(options, output, Array.IndexOf(args, "--kinds") is var k and >= 0 ? args[k + 1].Split(',') : null);
        var machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, ONNX Runtime {typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version}";
        output.WriteLine($"NeuralFP perf, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {machine}, load average {LoadAverage()} at start");
        output.WriteLine($"model {options.Model}, reference {options.Reference}, records {options.Records ?? options.Reference}; {options.Rounds} rounds (+1 warm-up), medians");
        var work = Directory.CreateTempSubdirectory("nfp-perf-").FullName;
        try
        {
            var rows = new RowList(output);
            var bars = new List<string>();
            var modelBytes = await File.ReadAllBytesAsync(options.Model);
            var reference = Npy.Read(File.OpenRead(options.Reference));
            var records = options.Records is null ? reference : Npy.Read(File.OpenRead(options.Records));

            var httpOnly = args.Contains("--http-only");
            if (!httpOnly)
            {
                // 1. The build, whole process (nfp fingerprint): time per reference record and peak RSS, median of the rounds. With
                // --nfp (a published nfp), the build output and it alternate, and the published one is what the bar and the rest read.
                (string Label, string Dll)[] clis = options.Nfp is { } published
                    ? [("build output", WholeProcess.BuildOutputNfp), ("published, ReadyToRun", published)]
                    : [("build output", WholeProcess.BuildOutputNfp)];
                var builds = clis.Select(_ => new List<WholeProcess.Result>()).ToArray();
                var fingerprintDir = Path.Combine(work, "fingerprint");
                for (var round = 0; round < options.Rounds; round++)
                {
                    for (var c = 0; c < clis.Length; c++)
                    {
                        if (Directory.Exists(fingerprintDir)) Directory.Delete(fingerprintDir, recursive: true);
                        builds[c].Add(WholeProcess.Run(WholeProcess.NfpAt(clis[c].Dll, "fingerprint", "--model", options.Model, "--reference", options.Reference, "--out", fingerprintDir, "--json")));
                    }
                }
                var buildSeconds = builds.Select(runs => Timing.Median(runs.Select(b => b.Seconds))).ToArray();
                for (var c = 0; c < clis.Length; c++)
                {
                    var seconds = buildSeconds[c];
                    rows.Add($"| fingerprint build, `nfp fingerprint` ({clis[c].Label}), {reference.Records:N0} reference records, whole process | {seconds:F2} s = **{seconds * 1000 / reference.Records:F3} ms/record** (runs {string.Join(" / ", builds[c].Select(b => b.Seconds.ToString("F2", CultureInfo.InvariantCulture)))} s); peak RSS {Timing.Median(builds[c].Select(b => b.PeakMiB)):N0} MiB | |");
                }
                var nfpDll = clis[^1].Dll;
                var buildMs = buildSeconds[^1] * 1000 / reference.Records;
                bars.Add($"| build ≤ 0.3 ms per reference record ({clis[^1].Label}) | {buildMs:F3} ms | {(buildMs <= 0.3 ? "**met**" : "missed")} |");
                var fingerprint = await Fingerprint.LoadAsync(fingerprintDir);
                output.WriteLine($"fingerprint: {fingerprint.Manifest.Layers.Count} layers ({string.Join(", ", fingerprint.Manifest.Layers.Select(l => l.Name))})");

                // 2. In process: bare model, fused graph and the whole C# Score path, batch 256 and batch 1.
                var engine = InProcess.Measure(modelBytes, fingerprint, records, options.Rounds);
                rows.AddRange(engine.Rows());
                bars.Add(Bar("fused ≥ 0.85× bare, batch 256", engine.Fused.Rate256 / engine.Bare.Rate256, 0.85));
                bars.Add(Bar("fused ≥ 0.6× bare, batch 1", engine.Fused.Rate1 / engine.Bare.Rate1, 0.6));

                // 3. nfp score on many records, whole process, against a bare-model process over the same file.
                var many = Path.Combine(work, "many.npy");
                WriteTiled(records, options.ScoreRecords, many);
                var nfp = new List<WholeProcess.Result>();
                var bare = new List<WholeProcess.Result>();
                for (var round = 0; round < options.Rounds; round++)
                {
                    bare.Add(WholeProcess.Run(WholeProcess.SelfWithNfpJitSettings("bare-process", "--model", options.Model, "--records", many, "--out", Path.Combine(work, "bare.txt"))));
                    nfp.Add(WholeProcess.Run(WholeProcess.NfpAt(nfpDll, "score", "--fingerprint", fingerprintDir, "--records", many, "--out", Path.Combine(work, "verdicts.json"))));
                }
                var nfpSeconds = Timing.Median(nfp.Select(r => r.Seconds));
                var bareSeconds = Timing.Median(bare.Select(r => r.Seconds));
                rows.Add($"| `nfp score` ({clis[^1].Label}), {options.ScoreRecords:N0} records, whole process (verdicts to a file) | {nfpSeconds:F2} s, peak RSS {Timing.Median(nfp.Select(r => r.PeakMiB)):N0} MiB (bare: {bareSeconds:F2} s, {Timing.Median(bare.Select(r => r.PeakMiB)):N0} MiB) | **{bareSeconds / nfpSeconds:F2}×** |");
                bars.Add(Bar($"nfp score {options.ScoreRecords:N0} ≥ 0.7× bare whole process", bareSeconds / nfpSeconds, 0.7));
            }

            // 4. The service over loopback HTTP: .npy batches of 256 on one connection beside in-process, then single records open loop.
            if (!options.SkipHttp)
            {
                var http = await Service.MeasureAsync(modelBytes, await File.ReadAllBytesAsync(options.Reference), records, options, work);
                ((List<string>)rows).AddRange(http.Rows); // already printed as measured
                bars.AddRange(http.Bars);
            }

            output.WriteLine();
            output.WriteLine($"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {machine}; load average {LoadAverage()} at end.");
            output.WriteLine();
            output.WriteLine("| path | records/s or latency | ratio |");
            output.WriteLine("|---|---|---|");
            foreach (var row in rows) output.WriteLine(row);
            output.WriteLine();
            output.WriteLine("| bar | measured | met |");
            output.WriteLine("|---|---:|---|");
            foreach (var bar in bars) output.WriteLine(bar);

            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Rows kept for the final table and printed at once, so a run that fails late still shows what it measured.</summary>
    private sealed class RowList(TextWriter output) : List<string>
    {
        public new void Add(string row)
        {
            base.Add(row);
            output.WriteLine(row);
        }

        public new void AddRange(IEnumerable<string> rows)
        {
            foreach (var row in rows) Add(row);
        }
    }

    internal static string Bar(string name, double ratio, double target) => $"| {name} | {ratio:F2}× | {(ratio >= target ? "**met**" : "missed")} |";

    internal static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    /// <summary>A .npy of <paramref name="count"/> records, the given ones repeated, written in chunks.</summary>
    private static void WriteTiled(FloatTensor records, int count, string path)
    {
        using var file = File.Create(path);
        var header = Npy.ToBytes(new FloatTensor([], [0, .. records.RecordShape]));
        var headerText = System.Text.Encoding.ASCII.GetString(header, 10, header.Length - 10).Replace("(0,", $"({count},");
        var padded = headerText.TrimEnd('\n');
        var total = 10 + padded.Length + 1;
        padded = padded.PadRight(padded.Length + (64 - total % 64) % 64) + "\n";
        file.Write(header.AsSpan(0, 8));
        file.Write(BitConverter.GetBytes((ushort)padded.Length));
        file.Write(System.Text.Encoding.ASCII.GetBytes(padded));
        for (var written = 0; written < count;)
        {
            var take = Math.Min(records.Records, count - written);
            file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(records.Data.AsSpan(0, take * records.RecordLength)));
            written += take;
        }
    }

    /// <summary>One contender's medians: records/s at batch 256, and at batch 1 records/s and p50 ms, called in turn with the
    /// others call by call and in blocks of 50 calls.</summary>
    internal sealed record Figures(double Rate256, double Rate1, double P50, double Rate1Blocks, double P50Blocks);

    /// <summary>The engine in this process: bare ONNX Runtime, the fused graph, and Score (graph + the C# rule, verdict arrays).</summary>
    internal sealed record InProcess(Figures Bare, Figures Fused, Figures Score, Figures BareInline)
    {
        public static InProcess Measure(byte[] model, Fingerprint fingerprint, FloatTensor records, int rounds)
        {
            using var bare = OrtRunner.Bare(model);
            // `Score` runs batches of up to 8 records on a single-threaded session on the caller's thread; the bare model on
            // such a session is the floor that path is compared with at batch 1.
            using var inlineOptions = FingerprintScorer.CreateSingleThreadSessionOptions();
            using var bareInline = OrtRunner.Bare(model, inlineOptions);
            using var fused = OrtRunner.Fused(fingerprint);
            using var scorer = new FingerprintScorer(fingerprint);
            // Score takes a tensor, and a slice is a copy (a large-object allocation at batch 256): each slice is made once,
            // in the warm-up round (whose figures are dropped; every round calls the same slices), not inside a timed call.
            var slices = new Dictionary<(int Start, int Count), FloatTensor>();
            FloatTensor SliceOnce(int s, int c) => slices.TryGetValue((s, c), out var made) ? made : slices[(s, c)] = records.Slice(s, c);
            Action<int, int>[] contenders = [(s, c) => bare.Run(records, s, c), (s, c) => fused.Run(records, s, c), (s, c) => scorer.Score(SliceOnce(s, c)), (s, c) => bareInline.Run(records, s, c)];
            // Per contender, the samples of each figure in the order of Figures.
            var samples = contenders.Select(_ => Enumerable.Range(0, 5).Select(_ => new List<double>()).ToArray()).ToArray();
            var batches = 24;
            var singles = 600;
            for (var round = 0; round <= rounds; round++)
            {
                // The contenders alternate call by call (A B C A B C …), so load from other processes falls on all alike.
                var b256 = Timing.Interleaved(contenders, records, Batch, batches);
                var b1 = Timing.Interleaved(contenders, records, 1, singles);
                var b1Blocks = Timing.InBlocks(contenders, records, 1, singles, block: 50);
                if (round == 0) continue;
                for (var c = 0; c < contenders.Length; c++)
                {
                    double[] values = [b256[c].RecordsPerSecond, b1[c].RecordsPerSecond, b1[c].P50Ms, b1Blocks[c].RecordsPerSecond, b1Blocks[c].P50Ms];
                    for (var f = 0; f < values.Length; f++) samples[c][f].Add(values[f]);
                }
            }
            var m = samples.Select(figure => figure.Select(Timing.Median).ToArray()).Select(v => new Figures(v[0], v[1], v[2], v[3], v[4])).ToArray();
            return new InProcess(m[0], m[1], m[2], m[3]);
        }

        public IEnumerable<string> Rows()
        {
            yield return $"| bare ONNX Runtime, batch {Batch} | {Bare.Rate256:N0} rec/s | 1 |";
            yield return $"| fused `scorer.onnx`, batch {Batch} | {Fused.Rate256:N0} rec/s | **{Fused.Rate256 / Bare.Rate256:F2}×** |";
            yield return $"| full C# path in-process (`Score`), batch {Batch} | {Score.Rate256:N0} rec/s | {Score.Rate256 / Bare.Rate256:F2}× |";
            yield return $"| bare ONNX Runtime, batch 1 | {Bare.Rate1:N0} rec/s; p50 {Bare.P50:F3} ms | 1 |";
            yield return $"| fused, batch 1 | {Fused.Rate1:N0} rec/s; p50 {Fused.P50:F3} ms | **{Fused.Rate1 / Bare.Rate1:F2}×** |";
            yield return $"| full C# path (`Score`), batch 1 | {Score.Rate1:N0} rec/s; p50 {Score.P50:F3} ms | {Score.Rate1 / Bare.Rate1:F2}× |";
            yield return $"| bare ONNX Runtime on a single-threaded session (as `Score` runs up to 8 records), batch 1 | {BareInline.Rate1:N0} rec/s; p50 {BareInline.P50:F3} ms | `Score` {Score.Rate1 / BareInline.Rate1:F2}× of it |";
            yield return $"| batch 1 in blocks of 50 calls (each in its own caches): bare / fused / `Score`, p50 | {Bare.P50Blocks:F3} / {Fused.P50Blocks:F3} / {Score.P50Blocks:F3} ms | fused {Fused.Rate1Blocks / Bare.Rate1Blocks:F2}×, `Score` {Score.Rate1Blocks / Bare.Rate1Blocks:F2}× |";
        }
    }

    /// <summary>The running service (real Azurite, the local host driving the real worker process) over loopback.</summary>
    private static class Service
    {
        public static async Task<(List<string> Rows, List<string> Bars)> MeasureAsync(byte[] model, byte[] reference, FloatTensor records, PerfOptions options, string work)
        {
            const string modelId = "perf";
            List<string> rows = [], bars = [];
            var referenceRecords = Npy.Read(reference).Records;
            async Task<TestApp> StartReadyAsync(string? workerDll, string label, params KeyValuePair<string, string?>[] settings)
            {
                var started = await TestApp.StartAsync(settings: [StorageNames.Setting(Hosting.SettingNames.RegistryCacheMilliseconds, "2000"), .. settings], workerDll: workerDll);
                await started.UploadAsync(modelId, ModelFiles.Model, model);
                await started.UploadAsync(modelId, ModelFiles.Reference, reference);
                var built = await started.WaitForStatusAsync(modelId, ModelStatus.Ready);
                rows.Add($"| the service's own build (worker process{label}), {built.BuildSeconds:F1} s | {built.BuildSeconds * 1000 / referenceRecords:F3} ms/record | |");
                return started;
            }
            await using var app = await StartReadyAsync(null, "");
            // Optional: an earlier build of the worker (e.g. main's) served by the same local host, measured alternately with this one.
            // Or this build with one setting changed (e.g. NeuralFP__InlineBatchRecords=0), measured the same way.
            await using var baseline = options.BaselineWorker is { } dll ? await StartReadyAsync(dll, $", baseline {Path.GetFileName(Path.GetDirectoryName(dll))}")
                : options.BaselineSetting is { } setting ? await StartReadyAsync(null, $", baseline {setting}", StorageNames.Setting(setting.Split('=')[0], setting.Split('=', 2)[1]))
                : null;
            var ready = (await app.Registry.GetAsync(modelId, CancellationToken.None))!;

            using var lease = await app.Services.GetRequiredService<ScorerCache>().LeaseAsync(modelId, CancellationToken.None);
            var scorer = lease.Model.Scorer;
            var batches = Batches(records);
            var bodies = batches.Select(Npy.ToBytes).ToArray();
            // One connection per app, one request at a time.
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = app.Address };
            using var baseHttp = baseline is null ? null : new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = baseline.Address };
            var url = $"api/models/{modelId}/verdicts";
            List<double> inProcess = [], overHttp = [], overBase = [], bytes = [];
            for (var round = 0; round <= options.Rounds; round++)
            {
                // In-process and HTTP (and the baseline) alternate batch by batch, so load from other processes falls on all alike.
                double engineSeconds = 0, servedSeconds = 0, baseSeconds = 0;
                long answered = 0;
                for (var i = 0; i < batches.Length; i++)
                {
                    var began = Stopwatch.GetTimestamp();
                    scorer.Score(batches[i]);
                    engineSeconds += Stopwatch.GetElapsedTime(began).TotalSeconds;
                    began = Stopwatch.GetTimestamp();
                    answered += await PostAsync(http, url, bodies[i]);
                    servedSeconds += Stopwatch.GetElapsedTime(began).TotalSeconds;
                    if (baseHttp is null) continue;
                    began = Stopwatch.GetTimestamp();
                    await PostAsync(baseHttp, url, bodies[i]);
                    baseSeconds += Stopwatch.GetElapsedTime(began).TotalSeconds;
                }
                if (round == 0) continue;
                inProcess.Add(batches.Length * Batch / engineSeconds);
                overHttp.Add(bodies.Length * Batch / servedSeconds);
                if (baseHttp is not null) overBase.Add(bodies.Length * Batch / baseSeconds);
                bytes.Add(answered / (double)bodies.Length);
            }
            // Where a batch request's time goes (BENCH_PROBE=1): the same body refused before it is read (415: both hops and the
            // upload), refused after it is read and decoded (400: a record one value short), and answered; beside in-process Score.
            if (Environment.GetEnvironmentVariable("BENCH_PROBE") == "1")
            {
                var shortRecords = Npy.ToBytes(new FloatTensor(batches[0].Data.AsSpan(0, Batch * (batches[0].RecordLength - 1)).ToArray(), [Batch, batches[0].RecordLength - 1]));
                List<double> refused = [], decoded = [], answeredMs = [], scoredMs = [];
                for (var k = 0; k < 60; k++)
                {
                    var began = Stopwatch.GetTimestamp();
                    await SendAsync(http, url, bodies[k % bodies.Length], "text/plain", HttpStatusCode.UnsupportedMediaType);
                    refused.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                    began = Stopwatch.GetTimestamp();
                    await SendAsync(http, url, shortRecords, "application/x-npy", HttpStatusCode.BadRequest);
                    decoded.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                    began = Stopwatch.GetTimestamp();
                    await PostAsync(http, url, bodies[k % bodies.Length]);
                    answeredMs.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                    began = Stopwatch.GetTimestamp();
                    scorer.Score(batches[k % batches.Length]);
                    scoredMs.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                }
                rows.Add($"| probe, batch of {Batch} ({bodies[0].Length / 1024} KiB): refused unread (415) / read and decoded (400) / answered (200) / in-process Score, p50 | " +
                    $"{Timing.Median(refused.Skip(10)):F2} / {Timing.Median(decoded.Skip(10)):F2} / {Timing.Median(answeredMs.Skip(10)):F2} / {Timing.Median(scoredMs.Skip(10)):F2} ms | |");
                Console.Out.WriteLine(rows[^1]);
            }
            var detailBytes = await PostAsync(http, url + "?detail=layers", bodies[0]);
            // The answer before the lean format: every verdict object in full, every layer's thresholds in every record.
            var oldBytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { modelId, modelVersion = ready.CurrentVersion, records = Batch, oodRecords = 0,
                verdicts = (IReadOnlyList<Core.Verdicts.Verdict>)scorer.Score(batches[0]).ToArray() }, Application.Serialization.JsonDefaults.Options).Length;
            var (engineRate, httpRate) = (Timing.Median(inProcess), Timing.Median(overHttp));
            rows.Add($"| in-process `Score` of the service's scorer, batch {Batch} | {engineRate:N0} rec/s | 1 |");
            rows.Add($"| HTTP, `.npy` batches of {Batch}, one connection, the client inside the local host's process (answer {Timing.Median(bytes) / 1024:F0} KiB; with `?detail=layers` {detailBytes / 1024.0:F0} KiB; the old format {oldBytes / 1024.0:F0} KiB) | {httpRate:N0} rec/s | {httpRate / engineRate:F2}× of in-process |");
            if (overBase.Count > 0)
                rows.Add($"| *baseline worker*, HTTP, `.npy` batches of {Batch}, one connection (alternating with the row above) | {Timing.Median(overBase):N0} rec/s | {Timing.Median(overBase) / engineRate:F2}× of in-process |");
            // The same from a gateway's own process (the bar's figure): in-process scoring of the pulled fingerprint and HTTP, alternating.
            var gateway = await GatewayClient.RunAsync(app.Address, modelId, options.Records ?? options.Reference, options.Rounds);
            var (gatewayEngine, gatewayHttp) = (Timing.Median(gateway.InProcess), Timing.Median(gateway.OverHttp));
            rows.Add($"| a gateway process: HTTP rate over its {GatewayClient.WarmUpRounds} warm-up rounds of 20 batches (the worker's request path settling) | {WarmUpCurve(gateway)} | |");
            rows.Add($"| a gateway process: in-process `Score` of the pulled fingerprint, batch {Batch}, after the warm-up | {gatewayEngine:N0} rec/s | 1 |");
            rows.Add($"| a gateway process: HTTP, `.npy` batches of {Batch}, one connection, alternating with the row above | {gatewayHttp:N0} rec/s | **{gatewayHttp / gatewayEngine:F2}× of in-process** |");
            var inWorker = Timing.Median(gateway.InWorker);
            rows.Add($"| the same HTTP batches: the worker's own reading and scoring (`Server-Timing`), per batch / the rest of the round trip (wire, host, answer) | {Batch * 1000 / inWorker:F2} / {Batch * 1000 / gatewayHttp - Batch * 1000 / inWorker:F2} ms | worker rate {inWorker / gatewayEngine:F2}× of in-process |");
            var (blockEngine, blockHttp) = (Timing.Median(gateway.InProcessBlocks), Timing.Median(gateway.OverHttpBlocks));
            rows.Add($"| a gateway process: the same two alternating in blocks of {batches.Length} batches (each path in its own caches) | {blockHttp:N0} / {blockEngine:N0} rec/s | **{blockHttp / blockEngine:F2}× of in-process** |");
            bars.Add(Bar("HTTP .npy batches of 256 ≥ 0.8× in-process (a gateway process)", gatewayHttp / gatewayEngine, 0.8));
            if (baseline is not null)
            {
                // The same for the baseline app, after this one (so its warm-up curve can be read beside this one's).
                var other = await GatewayClient.RunAsync(baseline.Address, modelId, options.Records ?? options.Reference, options.Rounds);
                rows.Add($"| *baseline*, a gateway process: HTTP rate over its warm-up rounds | {WarmUpCurve(other)} | |");
                rows.Add($"| *baseline*, a gateway process: HTTP after the warm-up / in-process | {Timing.Median(other.OverHttp):N0} / {Timing.Median(other.InProcess):N0} rec/s | {Timing.Median(other.OverHttp) / Timing.Median(other.InProcess):F2}× |");
            }

            // CPU per batch (this process's tree: client, local host, worker processes, Azurite), which load does not inflate the
            // way it inflates wall time: in-process Score, then each app's HTTP path, one after the other.
            static double Cpu() => ProcessCpu.Seconds(Environment.ProcessId);
            double CpuPerBatch(Func<int, Task> run)
            {
                var before = Cpu();
                for (var i = 0; i < 40; i++) run(i).GetAwaiter().GetResult();
                return (Cpu() - before) * 1000 / 40;
            }
            var cpuScore = CpuPerBatch(i => { scorer.Score(batches[i % batches.Length]); return Task.CompletedTask; });
            var cpuHttp = CpuPerBatch(i => PostAsync(http, url, bodies[i % bodies.Length]));
            var cpuBase = baseHttp is null ? double.NaN : CpuPerBatch(i => PostAsync(baseHttp, url, bodies[i % bodies.Length]));
            rows.Add($"| CPU per batch of {Batch} (all processes): in-process Score / HTTP{(baseHttp is null ? "" : " / baseline HTTP")} | " +
                $"{cpuScore:F1} / {cpuHttp:F1}{(baseHttp is null ? "" : $" / {cpuBase:F1}")} ms | {cpuScore / cpuHttp:F2}×{(baseHttp is null ? "" : $" / {cpuScore / cpuBase:F2}×")} |");

            if (baseline is not null)
            {
                // Closed loop, one request at a time, the two apps alternating request by request: where a single request's time goes.
                var single = Npy.ToBytes(records.Slice(0, 1));
                var probes = new Dictionary<string, List<double>>();
                async Task Probe(string name, HttpClient client, Func<HttpClient, Task> send)
                {
                    var began = Stopwatch.GetTimestamp();
                    await send(client);
                    var ms = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
                    if (!probes.TryGetValue(name, out var list)) probes[name] = list = [];
                    list.Add(ms);
                }
                for (var k = 0; k < 330; k++)
                    foreach (var (name, client) in new[] { ("this", http), ("baseline", baseHttp!) })
                    {
                        await Probe($"{name} not-found GET", client, async c => { using var r = await c.GetAsync("api/nothing-here"); await r.Content.ReadAsByteArrayAsync(); });
                        await Probe($"{name} GET /api/health", client, async c => { using var r = await c.GetAsync("api/health"); await r.Content.ReadAsByteArrayAsync(); });
                        await Probe($"{name} one verdict (.npy)", client, c => PostAsync(c, url, single));
                    }
                foreach (var (name, list) in probes)
                    rows.Add($"| probe, closed loop, {name} | p50 {Timing.Median(list.Skip(30)):F2} ms | |");
                // This build's worker: CPU per request of each kind, each kind on its own (the bare invocation path vs the functions).
                var workerPid = app.Host.WorkerProcessId ?? 0;
                foreach (var (name, send) in new (string, Func<Task>)[]
                {
                    ("not-found GET", async () => { using var r = await http.GetAsync("api/nothing-here"); await r.Content.ReadAsByteArrayAsync(); }),
                    ("GET /api/health", async () => { using var r = await http.GetAsync("api/health"); await r.Content.ReadAsByteArrayAsync(); }),
                    ("one verdict (.npy)", () => PostAsync(http, url, single)),
                })
                {
                    for (var k = 0; k < 50; k++) await send();
                    var (workerBefore, allBefore) = (ProcessCpu.Seconds(workerPid), Cpu());
                    for (var k = 0; k < 500; k++) await send();
                    rows.Add($"| CPU per request, closed loop, {name}: worker / all processes | {(ProcessCpu.Seconds(workerPid) - workerBefore) * 2:F2} / {(Cpu() - allBefore) * 2:F2} ms | |");
                }
                // One verdict, worker CPU per request of both apps, alternating in blocks of 500 (two blocks each).
                var perApp = new Dictionary<string, List<double>> { ["this"] = [], ["baseline"] = [] };
                for (var block = 0; block < 4; block++)
                {
                    var (name, client, target) = block % 2 == 0 ? ("this", http, app) : ("baseline", baseHttp!, baseline!);
                    var pid = target.Host.WorkerProcessId ?? 0;
                    for (var k = 0; k < 50; k++) await PostAsync(client, url, single);
                    var before = ProcessCpu.Seconds(pid);
                    for (var k = 0; k < 500; k++) await PostAsync(client, url, single);
                    perApp[name].Add((ProcessCpu.Seconds(pid) - before) * 2);
                }
                rows.Add($"| worker CPU per single-record verdict, closed loop, alternating blocks of 500: this / *baseline* | {perApp["this"].Average():F3} / {perApp["baseline"].Average():F3} ms | |");
            }

            foreach (var row in rows) Console.Out.WriteLine(row); // before the open loop, which may fail on an overloaded machine
            // --rate 0: no single-record open loop (the batch rows alone).
            var runs = options.Rate <= 0 ? [] : baseline is null ? new[] { ("", app) } : [("", app), (" *baseline*", baseline), ("", app), (" *baseline*", baseline)];
            var p99s = new List<double>();
            foreach (var (label, target) in runs)
            {
                var workerPid = target.Host.WorkerProcessId ?? 0;
                var (cpuBefore, workerBefore, selfBefore) = (Cpu(), ProcessCpu.Seconds(workerPid), ProcessCpu.Own(Environment.ProcessId));
                var result = await OpenLoop.RunAsync(target.Address, url, records, options.Rate, options.Seconds);
                var sent = options.Rate * (options.Seconds + Math.Max(1, options.Seconds / 5));
                var cpuPerRequest = (Cpu() - cpuBefore) * 1000 / sent;
                var workerPerRequest = (ProcessCpu.Seconds(workerPid) - workerBefore) * 1000 / sent;
                var selfPerRequest = (ProcessCpu.Own(Environment.ProcessId) - selfBefore) * 1000 / sent;
                rows.Add($"|{label} HTTP, single record (`.npy`), open loop {options.Rate:N0} req/s for {options.Seconds} s ({result.Achieved:N0}/s offered, {result.Late} sent > 1 ms late, {result.Errors} errors or > 10 s), load {File.ReadAllText("/proc/loadavg").Split(' ')[0]} | p50 {result.P50:F2} ms, p99 **{result.P99:F2} ms**, max {result.Max:F1} ms; CPU {cpuPerRequest:F2} ms/request (all processes; worker {workerPerRequest:F2}, generator + local host {selfPerRequest:F2}) | |");
                Console.Out.WriteLine(rows[^1]);
                if (target == app) p99s.Add(result.P99);
            }
            if (p99s.Count > 0)
                bars.Add($"| single-record p99 ≤ 2 ms at {options.Rate:N0} req/s | {p99s.Min():F2} ms | {(p99s.Min() <= 2 ? "**met**" : "missed")} |");
            return (rows, bars);
        }

        private static async Task SendAsync(HttpClient http, string url, byte[] body, string contentType, HttpStatusCode expected)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            using var response = await http.PostAsync(url, content);
            await response.Content.ReadAsByteArrayAsync();
            if (response.StatusCode != expected) throw new InvalidOperationException($"Expected {expected}, got {response.StatusCode}.");
        }

    }
}

/// <summary>Command-line options of <c>perf</c>.</summary>
internal sealed record PerfOptions(string Model, string Reference, string? Records, int Rounds, int ScoreRecords, int Rate, int Seconds, bool SkipHttp, string? BaselineWorker = null, string? BaselineSetting = null, int CpuRequests = 1000, string? Nfp = null)
{
    public static PerfOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        int Int(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var model = Value("--model") ?? RepoPaths.Model("fmnist_cnn.onnx");
        var reference = Value("--reference") ?? throw new ArgumentException("perf needs --reference ref.npy (e.g. data/fmnist_train.npy from tools/build_datasets.py).");
        var rounds = Int("--rounds", 3);
        if (rounds < 3) throw new ArgumentException("--rounds must be at least 3 (medians of ≥ 3 rounds).");
        return new PerfOptions(Path.GetFullPath(model), Path.GetFullPath(reference), Value("--records") is { } r ? Path.GetFullPath(r) : null, rounds,
            Int("--score-records", 100_000), Int("--rate", 1000), Int("--seconds", 10), args.Contains("--no-http"),
            Value("--baseline-worker") is { } b ? Path.GetFullPath(b) : null,
            Value("--baseline-setting") is { } setting && setting.Contains('=') ? setting : Value("--baseline-setting") is null ? null : throw new ArgumentException("--baseline-setting takes NAME=VALUE."),
            Int("--requests", 1000), Value("--nfp") is { } nfp ? Path.GetFullPath(nfp) : null);
    }
}
