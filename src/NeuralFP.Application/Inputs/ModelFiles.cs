namespace NeuralFP.Application.Inputs;

/// <summary>The files a model folder (<c>models/{modelId}/</c>) may hold.</summary>
public static class ModelFiles
{
    public const string Model = "model.onnx";
    public const string Reference = "reference.npy";
    public const string Options = "fingerprint.json";

    /// <summary>The upload's commit point, written last (see <see cref="UploadManifest"/>).</summary>
    public const string Manifest = "manifest.json";

    public static bool IsKnown(string fileName) => fileName is Model or Reference or Options or Manifest;

    public static string BlobName(string modelId, string fileName) => $"{modelId}/{fileName}";

    /// <summary>Splits <c>{modelId}/{file}</c>; false for anything deeper or shallower.</summary>
    public static bool TryParseBlobName(string blobName, out string modelId, out string fileName)
    {
        modelId = fileName = "";
        var parts = blobName.Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0) return false;
        (modelId, fileName) = (parts[0], parts[1]);
        return true;
    }
}
