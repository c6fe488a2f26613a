using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>
/// An open-loop load generator: single-record <c>.npy</c> requests sent on a fixed schedule whether or not earlier ones
/// have returned (so a slow answer cannot slow the offered load), over up to 256 connections; the schedule sleeps between sends (it
/// does not spin), so the generator's CPU is its sends. Latency is from the
/// moment a request is sent; sends more than a millisecond behind schedule are counted, and a request not answered
/// within 10 s counts as an error.
/// </summary>
internal static class OpenLoop
{
    public sealed record Result(double Achieved, double P50, double P99, double Max, int Errors, int Late);

    public static async Task<Result> RunAsync(Uri address, string url, FloatTensor records, int rate, int seconds)
    {
        var bodies = Enumerable.Range(0, Math.Min(200, records.Records)).Select(i => Npy.ToBytes(records.Slice(i, 1))).ToArray();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        await Schedule(http, url, bodies, rate, Math.Max(1, seconds / 5)); // warm-up: connections, JIT, tiering
        var total = rate * seconds;
        var (latencies, errors, late, elapsed) = await Schedule(http, url, bodies, rate, seconds);
        var sorted = latencies.Where(double.IsFinite).Order().ToArray();
        double Quantile(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        return new Result(total / elapsed, Quantile(0.5), Quantile(0.99), sorted.Length == 0 ? double.NaN : sorted[^1], errors, late);
    }

    /// <summary>Sleeps until a <see cref="Stopwatch"/> timestamp with the kernel's high-resolution timers (Thread.Sleep rounds to milliseconds).</summary>
    private static class PreciseSleep
    {
        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int nanosleep(ref TimeSpec request, IntPtr remaining);

        public static void Until(long due)
        {
            var left = due - Stopwatch.GetTimestamp();
            if (left <= 0) return;
            var nanoseconds = (long)(left * (1e9 / Stopwatch.Frequency));
            var spec = new TimeSpec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
            nanosleep(ref spec, IntPtr.Zero);
        }
    }

    private static async Task<(double[] Latencies, int Errors, int Late, double Seconds)> Schedule(HttpClient http, string url, byte[][] bodies, int rate, int seconds)
    {
        var total = rate * seconds;
        var latencies = new double[total];
        var errors = 0;
        var late = 0;
        var pending = new Task[total];
        var ticksPerRequest = Stopwatch.Frequency / (double)rate;
        var start = 0L;
        var scheduled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The schedule runs on a thread of its own that sleeps until each send is due (nanosleep: tens of µs of slack), so
        // the generator costs a send per request, not a core spinning between sends as a yield loop did.
        var scheduler = new Thread(() =>
        {
            start = Stopwatch.GetTimestamp();
            for (var i = 0; i < total; i++)
            {
                var due = start + (long)(i * ticksPerRequest);
                PreciseSleep.Until(due);
                if (Stopwatch.GetElapsedTime(due) > TimeSpan.FromMilliseconds(1)) late++;
                var index = i;
                pending[i] = Task.Run(async () =>
                {
                    var sent = Stopwatch.GetTimestamp();
                    try
                    {
                        using var content = new ByteArrayContent(bodies[index % bodies.Length]);
                        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
                        using var response = await http.PostAsync(url, content);
                        await response.Content.ReadAsByteArrayAsync();
                        latencies[index] = response.IsSuccessStatusCode ? Stopwatch.GetElapsedTime(sent).TotalMilliseconds : double.NaN;
                        if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        latencies[index] = double.NaN;
                        Interlocked.Increment(ref errors);
                    }
                });
            }
            scheduled.SetResult();
        }) { IsBackground = true, Name = "open-loop schedule", Priority = ThreadPriority.AboveNormal };
        scheduler.Start();
        await scheduled.Task;
        await Task.WhenAll(pending);
        return (latencies, errors, late, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }
}
