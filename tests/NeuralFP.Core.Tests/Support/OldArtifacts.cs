using System.Text.Json.Nodes;
using NeuralFP.Core.Fingerprints;

namespace NeuralFP.Core.Tests.Support;

/// <summary>Fingerprints as builds from before an option existed wrote them, to show they still load and score the same.</summary>
internal static class OldArtifacts
{
    /// <summary>The fingerprint's files with <paramref name="option"/> removed from its options and the manifest fields the
    /// option added removed too, loaded again.</summary>
    public static Fingerprint WrittenWithout(Fingerprint fingerprint, string option, params string[] manifestFields)
    {
        var files = fingerprint.ToFiles().ToDictionary(f => f.Key, f => f.Value);
        var json = JsonNode.Parse(files[Fingerprint.ManifestFileName])!;
        Assert.True(json["options"]!.AsObject().Remove(option), $"fingerprint.json has no option '{option}' to remove.");
        foreach (var field in manifestFields) json.AsObject().Remove(field);
        files[Fingerprint.ManifestFileName] = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        return Fingerprint.FromFiles(files);
    }
}
