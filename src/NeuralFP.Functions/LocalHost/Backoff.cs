namespace NeuralFP.Functions.LocalHost;

/// <summary>Delay before retry number <c>attempt</c>: host.json's visibilityTimeout, doubled per attempt, capped.</summary>
internal static class Backoff
{
    public static TimeSpan For(long attempt, TimeSpan baseDelay, TimeSpan cap)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 20));
        var delay = TimeSpan.FromMilliseconds(baseDelay.TotalMilliseconds * factor);
        return delay > cap ? cap : delay;
    }
}
