using System.Text.Json;

namespace NeuralFP.Functions.LocalHost;

/// <summary>The handler's answer to one invocation, as the host reads it.</summary>
public sealed record InvocationReply(int StatusCode, IReadOnlyDictionary<string, JsonElement> Outputs, IReadOnlyList<string> Logs, string Body)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;

    /// <summary>What to log as the failure reason: the handler's log lines, else its body, else the status.</summary>
    public string Reason => Logs.Count > 0 ? string.Join(" | ", Logs) : Body.Length > 0 ? Body : $"HTTP {StatusCode}";
}
