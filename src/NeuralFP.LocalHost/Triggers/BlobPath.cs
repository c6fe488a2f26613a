namespace NeuralFP.LocalHost.Triggers;

/// <summary>
/// A blob trigger path, <c>container/prefix{name}</c>: the container, the literal prefix a blob name must start with,
/// and the parameter that takes the rest (which may contain '/', as the Functions host allows).
/// </summary>
internal sealed record BlobPath(string Container, string Prefix, string? Parameter, string Suffix)
{
    public static BlobPath Parse(string path)
    {
        var slash = path.IndexOf('/');
        if (slash <= 0) return new BlobPath(path.Trim('/'), "", null, "");
        var container = path[..slash];
        var rest = path[(slash + 1)..];
        var open = rest.IndexOf('{');
        if (open < 0) return new BlobPath(container, rest, null, "");
        var close = rest.IndexOf('}', open);
        if (close < 0) throw new FormatException($"The blob path '{path}' has an unclosed '{{'.");
        if (rest.IndexOf('{', close) >= 0)
            throw new NotSupportedException($"The blob path '{path}' has more than one parameter; the local host supports one ({{name}}).");
        return new BlobPath(container, rest[..open], rest[(open + 1)..close], rest[(close + 1)..]);
    }

    /// <summary>The parameter's value for <paramref name="blobName"/>, or null when the blob does not match the path.</summary>
    public bool TryMatch(string blobName, out string? value)
    {
        value = null;
        if (!blobName.StartsWith(Prefix, StringComparison.Ordinal) || !blobName.EndsWith(Suffix, StringComparison.Ordinal)) return false;
        if (blobName.Length < Prefix.Length + Suffix.Length) return false;
        if (Parameter is null) return blobName == Prefix;
        value = blobName[Prefix.Length..^Suffix.Length];
        return value.Length > 0;
    }
}
