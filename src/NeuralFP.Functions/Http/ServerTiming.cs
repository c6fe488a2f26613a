using System.Globalization;

namespace NeuralFP.Functions.Http;

/// <summary>
/// The W3C <c>Server-Timing</c> header of a verdicts answer: how long the worker spent reading and decoding the body
/// (<c>read</c>) and scoring it (<c>score</c>), in milliseconds. A gateway that logs it beside its own round trip sees what
/// the network, the Functions host and the answer's transfer cost; browsers' developer tools show it as is.
/// </summary>
internal static class ServerTiming
{
    public const string Header = "Server-Timing";

    public static void Write(HttpResponse response, TimeSpan read, TimeSpan score)
        => response.Headers[Header] = string.Create(CultureInfo.InvariantCulture, $"read;dur={read.TotalMilliseconds:F3}, score;dur={score.TotalMilliseconds:F3}");
}
