using System.Text.Json.Serialization;

namespace NeuralFP.Functions.Invocations;

/// <summary>The custom handler's reply: output binding values by binding name, log lines for the host, and the return value.</summary>
public sealed record InvocationResponse(
    [property: JsonPropertyName("Outputs")] IReadOnlyDictionary<string, object?> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? ReturnValue);
