using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuralFP.Core.Fingerprints;

/// <summary>The one set of JSON conventions for fingerprint files and option uploads.</summary>
public static class FingerprintJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
