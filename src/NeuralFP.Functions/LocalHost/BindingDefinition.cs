using System.Text.Json.Nodes;

namespace NeuralFP.Functions.LocalHost;

/// <summary>One entry of a function.json <c>bindings</c> array.</summary>
public sealed record BindingDefinition(string Type, string Direction, string Name, JsonObject Raw)
{
    public bool IsTrigger => Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);

    public string? Get(string property)
    {
        foreach (var (key, value) in Raw)
        {
            if (string.Equals(key, property, StringComparison.OrdinalIgnoreCase))
                return value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString();
        }
        return null;
    }
}
