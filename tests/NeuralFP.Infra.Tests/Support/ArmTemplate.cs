using System.Text.Json;

namespace NeuralFP.Infra.Tests.Support;

/// <summary>A compiled ARM template, with the resources of its nested module deployments flattened.</summary>
public sealed class ArmTemplate
{
    private ArmTemplate(JsonElement root, IReadOnlyList<ArmResource> resources)
    {
        Root = root;
        Resources = resources;
    }

    public JsonElement Root { get; }

    /// <summary>Every resource, module deployments included, in template order.</summary>
    public IReadOnlyList<ArmResource> Resources { get; }

    public static ArmTemplate Parse(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        var resources = new List<ArmResource>();
        Collect(root, module: null, resources);
        return new ArmTemplate(root, resources);
    }

    public JsonElement Parameter(string name) =>
        Root.GetProperty("parameters").TryGetProperty(name, out var parameter)
            ? parameter
            : throw new KeyNotFoundException($"The template declares no parameter '{name}'.");

    public IReadOnlyList<ArmResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>The module deployment named <paramref name="name"/> (its Bicep module name).</summary>
    public ArmResource Module(string name) =>
        OfType("Microsoft.Resources/deployments").SingleOrDefault(r => r.Name == name)
        ?? throw new KeyNotFoundException($"The template has no module deployment named '{name}'.");

    private static void Collect(JsonElement template, string? module, List<ArmResource> into)
    {
        var resources = template.GetProperty("resources");
        // Templates with symbolic names (languageVersion 2.0) hold resources in an object.
        var items = resources.ValueKind == JsonValueKind.Object
            ? resources.EnumerateObject().Select(p => p.Value)
            : resources.EnumerateArray();
        foreach (var resource in items)
        {
            var armResource = new ArmResource(resource, module);
            into.Add(armResource);
            if (armResource.Type == "Microsoft.Resources/deployments"
                && resource.TryGetProperty("properties", out var properties)
                && properties.TryGetProperty("template", out var nested))
            {
                Collect(nested, armResource.Name, into);
            }
        }
    }
}
