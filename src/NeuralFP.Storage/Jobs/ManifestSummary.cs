using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Storage.Registry;
using NeuralFP.Storage.Serialization;

namespace NeuralFP.Storage.Jobs;

/// <summary>The few manifest figures the registry shows (layers, input shape, calibration).</summary>
internal static class ManifestSummary
{
    public static (IReadOnlyList<string> Layers, int[] InputShape, CalibrationSummary Calibration) From(FingerprintManifest manifest, FingerprintOptions options, int referenceRecords)
    {
        // Read through JSON so the registry keeps working as the manifest gains fields.
        var node = JsonSerializer.SerializeToNode(manifest, JsonDefaults.Options) as JsonObject ?? [];
        var layers = new List<string>();
        if (node["layers"] is JsonArray array)
        {
            foreach (var item in array)
            {
                var name = item switch
                {
                    JsonValue value when value.TryGetValue<string>(out var s) => s,
                    JsonObject obj => (obj["name"] ?? obj["tensor"] ?? obj["tensorName"])?.GetValue<string>(),
                    _ => null,
                };
                if (name is not null) layers.Add(name);
            }
        }
        var realised = FindNumber(node, "realisedFpr") ?? FindNumber(node, "realizedFpr");
        var target = FindNumber(node, "targetFpr") ?? options.TargetFpr;
        return (layers, manifest.InputShape, new CalibrationSummary(target, realised, referenceRecords));
    }

    private static double? FindNumber(JsonNode? node, string name)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase) && value is JsonValue v && v.TryGetValue<double>(out var d))
                        return d;
                }
                foreach (var (_, value) in obj)
                {
                    if (value is JsonObject && FindNumber(value, name) is double found) return found;
                }
                return null;
            default:
                return null;
        }
    }
}
