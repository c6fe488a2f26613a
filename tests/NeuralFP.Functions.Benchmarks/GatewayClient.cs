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

    /// <summary>Per measured round: in-process records/s, HTTP records/s; and the HTTP rate of each warm-up round.</summary>
    public sealed record Rounds(IReadOnlyList<double> InProcess, IReadOnlyList<double> OverHttp, IReadOnlyList<double> WarmUpHttp);

    public static async Task<Rounds> RunAsync(Uri address, string modelId, string recordsPath, int rounds)
    {
        var command = WholeProcess.Self("gateway-client", address.ToString(), modelId, recordsPath, rounds.ToString(CultureInfo.InvariantCulture));
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1)) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"The gateway client failed ({process.ExitCode}): {await stderr}");
        List<double> inProcess = [], overHttp = [], warmUp = [];
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            var http = double.Parse(parts[2], CultureInfo.InvariantCulture);
            if (parts[0] == "warm-up")
            {
                warmUp.Add(http);
                continue;
            }
            inProcess.Add(double.Parse(parts[1], CultureInfo.InvariantCulture));
            overHttp.Add(http);
        }
        return new Rounds(inProcess, overHttp, warmUp);
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
            double engineSeconds = 0, servedSeconds = 0;
            for (var i = 0; i < batches.Length; i++)
            {
                var began = Stopwatch.GetTimestamp();
                scorer.Score(batches[i]);
                engineSeconds += Stopwatch.GetElapsedTime(began).TotalSeconds;
                began = Stopwatch.GetTimestamp();
                await PerfBenchmark.PostAsync(http, url, bodies[i]);
                servedSeconds += Stopwatch.GetElapsedTime(began).TotalSeconds;
            }
            var total = batches.Length * Batch;
            Console.WriteLine(FormattableString.Invariant($"{(round < 0 ? "warm-up" : "measured")} {total / engineSeconds:R} {total / servedSeconds:R}"));
        }
        return 0;
    }
}
