using System.Diagnostics;
using System.Globalization;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Edge;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>
/// The HTTP batch path against in-process scoring, both seen from a gateway: a child process of its own (as a gateway is:
/// no local host, worker or Azurite in it) pulls the fingerprint the service built (<c>GET /api/models/{id}/fingerprint</c>),
/// loads it with the service's scorer set-up (the shared intra-op pool, the worker's defaults), and alternates batch by batch
/// between scoring it in-process and posting the same batch as <c>.npy</c> over one connection. Run inside the local host's
/// process instead, the client's requests, the host's Kestrel and forwarding and its in-process scorer share one runtime,
/// and the HTTP figure carries that.
/// </summary>
internal static class GatewayClient
{
    private const int Batch = PerfBenchmark.Batch;

    /// <summary>
    /// Rounds of 20 batches before the measured ones. The HTTP rate climbs for the first 100–150 batch requests a new worker
    /// serves (the JIT's tiers and dynamic PGO settling on the request path; measured: 15k → 22–26k rec/s on the CNN fixture
    /// over rounds 1–8), so the steady state is read after 10 rounds, and the warm-up rounds are reported beside it.
    /// </summary>
    public const int WarmUpRounds = 10;

    /// <summary>
    /// Measured rounds at least (each 20 batches in turn and 20 in blocks, ≈ 1 s): with 3 rounds the ratio read 0.60–0.78
    /// over nine runs of one build, with 10 it read 0.71–0.74 over four.
    /// </summary>
    public const int MinimumRounds = 10;

    /// <summary>
    /// Per measured round: in-process records/s, HTTP records/s (alternating batch by batch), the same two alternating in
    /// blocks of 20 batches; and the HTTP rate of each warm-up round.
    /// </summary>
    /// <param name="InWorker">Per measured round, records/s of the worker's own reading and scoring of the HTTP batches (its
    /// <c>Server-Timing</c>): what the HTTP rate would be if the wire, the host and the answer cost nothing.</param>
    public sealed record Rounds(IReadOnlyList<double> InProcess, IReadOnlyList<double> OverHttp, IReadOnlyList<double> InProcessBlocks,
        IReadOnlyList<double> OverHttpBlocks, IReadOnlyList<double> InWorker, IReadOnlyList<double> WarmUpHttp);

    public static async Task<Rounds> RunAsync(Uri address, string modelId, string recordsPath, int rounds)
    {
        var command = WholeProcess.Self("gateway-client", address.ToString(), modelId, recordsPath, Math.Max(rounds, MinimumRounds).ToString(CultureInfo.InvariantCulture));
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1)) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"The gateway client failed ({process.ExitCode}): {await stderr}");
        List<double> inProcess = [], overHttp = [], inProcessBlocks = [], overHttpBlocks = [], inWorker = [], warmUp = [];
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            var http = double.Parse(parts[2], CultureInfo.InvariantCulture);
            var engine = double.Parse(parts[1], CultureInfo.InvariantCulture);
            switch (parts[0])
            {
                case "warm-up": warmUp.Add(http); break;
                case "blocks": inProcessBlocks.Add(engine); overHttpBlocks.Add(http); break;
                default: inProcess.Add(engine); overHttp.Add(http); inWorker.Add(double.Parse(parts[3], CultureInfo.InvariantCulture)); break;
            }
        }
        return new Rounds(inProcess, overHttp, inProcessBlocks, overHttpBlocks, inWorker, warmUp);
    }

    /// <summary>The child's side: <c>gateway-client address modelId records.npy rounds</c>; prints one line per round.</summary>
    public static async Task<int> ChildAsync(string[] args)
    {
        var (address, modelId, path, rounds) = (new Uri(args[0]), args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
        Core.Onnx.SharedThreadPool.TryEnable(Environment.ProcessorCount);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = address };
        EdgeFingerprint edge;
        await using (var archive = await http.GetStreamAsync($"api/models/{modelId}/fingerprint")) edge = await EdgeFingerprint.LoadAsync(archive);
        using var scorer = new FingerprintScorer(edge.Fingerprint);
        var records = Npy.Read(File.OpenRead(path));
        var batches = PerfBenchmark.Batches(records);
        var bodies = batches.Select(Npy.ToBytes).ToArray();
        var url = $"api/models/{modelId}/verdicts";
        for (var round = -WarmUpRounds; round < rounds; round++)
        {
            double engineSeconds = 0, servedSeconds = 0, workerSeconds = 0;
            for (var i = 0; i < batches.Length; i++)
            {
                var began = Stopwatch.GetTimestamp();
                scorer.Score(batches[i]);
                engineSeconds += Stopwatch.GetElapsedTime(began).TotalSeconds;
                began = Stopwatch.GetTimestamp();
                var (_, workerMilliseconds) = await PerfBenchmark.PostTimedAsync(http, url, bodies[i]);
                servedSeconds += Stopwatch.GetElapsedTime(began).TotalSeconds;
                workerSeconds += workerMilliseconds / 1000;
            }
            var total = batches.Length * Batch;
            Console.WriteLine(FormattableString.Invariant($"{(round < 0 ? "warm-up" : "measured")} {total / engineSeconds:R} {total / servedSeconds:R} {total / workerSeconds:R}"));
            if (round < 0) continue;

            // The same batches in blocks: every batch in-process, then every batch over HTTP (the order swapped each round),
            // so neither path starts each batch in caches the other has just filled with its own copy of the model.
            double blockEngine = 0, blockServed = 0;
            for (var half = 0; half < 2; half++)
            {
                var began = Stopwatch.GetTimestamp();
                if ((half + round) % 2 == 0)
                {
                    foreach (var batch in batches) scorer.Score(batch);
                    blockEngine = Stopwatch.GetElapsedTime(began).TotalSeconds;
                }
                else
                {
                    foreach (var body in bodies) await PerfBenchmark.PostAsync(http, url, body);
                    blockServed = Stopwatch.GetElapsedTime(began).TotalSeconds;
                }
            }
            Console.WriteLine(FormattableString.Invariant($"blocks {total / blockEngine:R} {total / blockServed:R}"));
        }
        return 0;
    }
}
