using System.Text.Json;

namespace NeuralFP.LocalHost.Functions;

/// <summary>One entry of a function's raw bindings (the JSON the worker's indexing reports).</summary>
internal sealed class FunctionBinding
{
    private readonly JsonElement _json;

    private FunctionBinding(JsonElement json)
    {
        _json = json;
        Name = String("name") ?? throw new FormatException("A binding has no name: " + json.GetRawText());
        Type = String("type") ?? throw new FormatException($"Binding '{Name}' has no type.");
        IsInput = !string.Equals(String("direction"), "out", StringComparison.OrdinalIgnoreCase);
    }

    public string Name { get; }
    public string Type { get; }
    public bool IsInput { get; }
    public bool IsTrigger => IsInput && Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);
    public bool Is(string type) => Type.Equals(type, StringComparison.OrdinalIgnoreCase);

    public static FunctionBinding Parse(string rawJson) => new(JsonDocument.Parse(rawJson).RootElement.Clone());

    /// <summary>A string property, case-insensitive, as written (binding expressions unresolved).</summary>
    public string? String(string property) =>
        Find(property) is { } value ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText() : null;

    public bool Bool(string property) => Find(property) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.String } value => bool.TryParse(value.GetString(), out var parsed) && parsed,
        _ => false,
    };

    public IReadOnlyList<string>? Strings(string property) =>
        Find(property) is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Select(item => item.GetString() ?? "").ToArray()
            : null;

    /// <summary>Whether the worker wants model binding data (an SDK client) rather than the content.</summary>
    public bool SupportsDeferredBinding =>
        Find("properties") is { ValueKind: JsonValueKind.Object } properties
        && properties.EnumerateObject().Any(p => p.Name.Equals("supportsDeferredBinding", StringComparison.OrdinalIgnoreCase)
            && (p.Value.ValueKind == JsonValueKind.True || (p.Value.ValueKind == JsonValueKind.String && bool.TryParse(p.Value.GetString(), out var b) && b)));

    public Rpc.BindingInfo ToBindingInfo()
    {
        var info = new Rpc.BindingInfo
        {
            Type = Type,
            Direction = String("direction")?.ToLowerInvariant() switch
            {
                "out" => Rpc.BindingInfo.Types.Direction.Out,
                "inout" => Rpc.BindingInfo.Types.Direction.Inout,
                _ => Rpc.BindingInfo.Types.Direction.In,
            },
        };
        if (String("dataType") is { } dataType && Enum.TryParse<Rpc.BindingInfo.Types.DataType>(dataType, ignoreCase: true, out var parsed))
            info.DataType = parsed;
        if (SupportsDeferredBinding) info.Properties["SupportsDeferredBinding"] = "True";
        return info;
    }

    private JsonElement? Find(string property)
    {
        foreach (var p in _json.EnumerateObject())
            if (p.Name.Equals(property, StringComparison.OrdinalIgnoreCase)) return p.Value;
        return null;
    }
}
