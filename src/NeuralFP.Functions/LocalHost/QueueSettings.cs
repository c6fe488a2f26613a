namespace NeuralFP.Functions.LocalHost;

/// <summary>host.json <c>extensions.queues</c>: how queue triggers poll, retry and poison, with the Functions host's defaults.</summary>
public sealed record QueueSettings
{
    public int MaxDequeueCount { get; init; } = 5;
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);
    public int BatchSize { get; init; } = 16;

    /// <summary><c>base64</c> (the default) or <c>none</c>.</summary>
    public string MessageEncoding { get; init; } = "base64";

    public bool Base64 => !string.Equals(MessageEncoding, "none", StringComparison.OrdinalIgnoreCase);
}
