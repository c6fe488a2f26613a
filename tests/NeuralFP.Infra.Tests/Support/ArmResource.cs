using System.Text.Json;

namespace NeuralFP.Infra.Tests.Support;

/// <summary>One resource of a template or a deployment snapshot.</summary>
public sealed class ArmResource(JsonElement json, string? module)
{
    public JsonElement Json { get; } = json;

    /// <summary>Module deployment that declares the resource (null: the main template or a snapshot).</summary>
    public string? Module { get; } = module;

    public string Type => Json.GetProperty("type").GetString()!;

    public string Name => Json.GetProperty("name").GetString()!;

    public string Id => Json.GetProperty("id").GetString()!;

    /// <summary>The last segment of the resource name (a container's own name, say).</summary>
    public string LeafName => Name.Split('/')[^1];

    /// <summary>Follows a dotted path such as <c>properties.siteConfig.minTlsVersion</c>.</summary>
    public JsonElement At(string path)
    {
        var current = Json;
        foreach (var segment in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                throw new KeyNotFoundException($"{Type} '{Name}' has no '{path}' (missing at '{segment}').");
            }
        }

        return current;
    }

    public string String(string path) => At(path).GetString()
        ?? throw new InvalidOperationException($"{Type} '{Name}': '{path}' is null.");

    public override string ToString() => $"{Type} {Name}";
}
