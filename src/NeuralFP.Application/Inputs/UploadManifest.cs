using System.Text.Json;
using NeuralFP.Application.Errors;

namespace NeuralFP.Application.Inputs;

/// <summary>
/// The commit point of an upload: <c>models/{modelId}/manifest.json</c>, written LAST, names the files of the upload
/// with their SHA-256 (lowercase hex): <c>{"files": {"model.onnx": "…", "reference.npy": "…", "fingerprint.json": "…"}}</c>.
/// The build starts only when every named file is there with that hash; <c>fingerprint.json</c> is optional, and
/// when the manifest does not name it the build uses the default options whatever file lies beside it.
/// </summary>
public sealed record UploadManifest(string ModelSha256, string ReferenceSha256, string? OptionsSha256)
{
    /// <exception cref="InvalidManifestException">Not such a manifest; the message says what is wrong.</exception>
    public static UploadManifest Parse(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Object)
                throw new InvalidManifestException("it must be an object with \"files\": {\"model.onnx\": sha256, \"reference.npy\": sha256[, \"fingerprint.json\": sha256]}.");
            string? model = null, reference = null, options = null;
            foreach (var file in files.EnumerateObject())
            {
                var hash = file.Value.ValueKind == JsonValueKind.String ? file.Value.GetString()! : "";
                if (hash.Length != 64 || !hash.All(Uri.IsHexDigit))
                    throw new InvalidManifestException($"the hash of \"{file.Name}\" must be 64 hex digits (SHA-256), e.g. from `sha256sum`.");
                hash = hash.ToLowerInvariant();
                switch (file.Name)
                {
                    case ModelFiles.Model: model = hash; break;
                    case ModelFiles.Reference: reference = hash; break;
                    case ModelFiles.Options: options = hash; break;
                    default: throw new InvalidManifestException($"\"{file.Name}\" is not a file of an upload; name {ModelFiles.Model}, {ModelFiles.Reference} and optionally {ModelFiles.Options}.");
                }
            }
            if (model is null || reference is null)
                throw new InvalidManifestException($"it must name both {ModelFiles.Model} and {ModelFiles.Reference}.");
            return new UploadManifest(model, reference, options);
        }
        catch (JsonException e)
        {
            throw new InvalidManifestException($"it is not valid JSON ({e.Message}).");
        }
    }

    /// <summary>The named files that are missing or differ from their hash, for the "waiting for" status; empty when the upload is complete.</summary>
    public IReadOnlyList<string> Mismatches(string? modelSha256, string? referenceSha256, string? optionsSha256)
    {
        var waiting = new List<string>();
        if (modelSha256 != ModelSha256) waiting.Add(ModelFiles.Model);
        if (referenceSha256 != ReferenceSha256) waiting.Add(ModelFiles.Reference);
        if (OptionsSha256 is not null && optionsSha256 != OptionsSha256) waiting.Add(ModelFiles.Options);
        return waiting;
    }
}
