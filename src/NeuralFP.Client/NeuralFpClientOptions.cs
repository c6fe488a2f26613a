namespace NeuralFP.Client;

/// <summary>Options of <see cref="NeuralFpClient"/>.</summary>
public sealed class NeuralFpClientOptions
{
    /// <summary>The function key (sent as <c>x-functions-key</c>); null where the service needs none (local runs).</summary>
    public string? FunctionKey { get; set; }

    /// <summary>Time allowed for one request, including reading its response (default 100 s).</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>How records are sent to the verdicts, match and report endpoints (default <see cref="RecordsFormat.Npy"/>: compact and exact).</summary>
    public RecordsFormat RecordsFormat { get; set; } = RecordsFormat.Npy;
}

/// <summary>Body format for records.</summary>
public enum RecordsFormat
{
    /// <summary><c>application/x-npy</c>, float32 little-endian.</summary>
    Npy,

    /// <summary><c>application/json</c>, <c>{"records":[[…]]}</c>.</summary>
    Json,
}
