namespace NeuralFP.Core.Artifacts;

/// <summary>
/// <c>artifact.json</c>, the first entry of a fingerprint archive: which model and version the files belong to, the
/// model's content hash (so a gateway can refuse an archive built for another model), and the files that follow.
/// </summary>
/// <param name="FormatVersion">Bumped on any incompatible change of the archive layout; readers reject versions they do not know.</param>
/// <param name="ModelSha256">SHA-256 (lowercase hex) of the model.onnx the fingerprint was built from.</param>
/// <param name="Files">The fingerprint's files, in archive order, with their byte lengths.</param>
public sealed record ArtifactManifest(
    int FormatVersion,
    string ModelId,
    int Version,
    string ModelSha256,
    IReadOnlyList<ArtifactFile> Files)
{
    public const int CurrentFormatVersion = 1;
}

/// <summary>One file of a fingerprint version (e.g. <c>scorer.onnx</c>) and its length in bytes.</summary>
public sealed record ArtifactFile(string Name, long Length);
