using System.Text.Json;

namespace NeuralFP.LocalHost.Functions;

/// <summary>The host.json settings the local host honours, with the Functions host's defaults.</summary>
internal sealed record HostJson
{
    public string RoutePrefix { get; init; } = "api";
    public QueueSettings Queues { get; init; } = new();
    /// <summary>How many blob events run at once (extensions.blobs.maxDegreeOfParallelism).</summary>
    public int BlobParallelism { get; init; } = 8;

    public static HostJson Load(string? path)
    {
        if (path is null || !File.Exists(path)) return new HostJson();
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        var extensions = Property(document.RootElement, "extensions");
        var http = Property(extensions, "http");
        var queues = Property(extensions, "queues");
        var blobs = Property(extensions, "blobs");
        var defaults = new QueueSettings();
        return new HostJson
        {
            RoutePrefix = String(http, "routePrefix") ?? "api",
            BlobParallelism = Int(blobs, "maxDegreeOfParallelism") ?? 8,
            Queues = new QueueSettings
            {
                VisibilityTimeout = Time(queues, "visibilityTimeout") ?? defaults.VisibilityTimeout,
                MaxDequeueCount = Int(queues, "maxDequeueCount") ?? defaults.MaxDequeueCount,
                BatchSize = Int(queues, "batchSize") ?? defaults.BatchSize,
                MaxPollingInterval = Time(queues, "maxPollingInterval") ?? defaults.MaxPollingInterval,
                Base64 = !string.Equals(String(queues, "messageEncoding"), "none", StringComparison.OrdinalIgnoreCase),
            },
        };
    }

    private static JsonElement? Property(JsonElement? element, string name)
    {
        if (element is not { ValueKind: JsonValueKind.Object } e) return null;
        foreach (var property in e.EnumerateObject())
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) return property.Value;
        return null;
    }

    private static string? String(JsonElement? element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static int? Int(JsonElement? element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Number } value ? value.GetInt32() : null;

    private static TimeSpan? Time(JsonElement? element, string name) =>
        String(element, name) is { } text ? TimeSpan.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : null;
}

/// <summary>extensions.queues in host.json (the Functions host's defaults).</summary>
internal sealed record QueueSettings
{
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;
    public int MaxDequeueCount { get; init; } = 5;
    public int BatchSize { get; init; } = 16;
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);
    public bool Base64 { get; init; } = true;
}
