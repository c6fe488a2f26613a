using System.Text;
using System.Text.RegularExpressions;

namespace NeuralFP.Functions.LocalHost;

/// <summary>A blob trigger path such as <c>models/{modelId}/{name}</c>: the container and a matcher for blob names.</summary>
public sealed class BlobPathPattern
{
    private readonly Regex _regex;

    private BlobPathPattern(string container, string blobPrefix, Regex regex, IReadOnlyList<string> placeholders)
    {
        Container = container;
        BlobPrefix = blobPrefix;
        _regex = regex;
        Placeholders = placeholders;
    }

    public string Container { get; }

    /// <summary>The literal start of blob names (for listing).</summary>
    public string BlobPrefix { get; }

    public IReadOnlyList<string> Placeholders { get; }

    public static BlobPathPattern Parse(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0) throw new InvalidOperationException($"Blob trigger path '{path}' must be 'container/pattern'.");
        var container = path[..slash];
        var pattern = path[(slash + 1)..];
        var regex = new StringBuilder("^");
        var placeholders = new List<string>();
        var position = 0;
        foreach (Match match in Regex.Matches(pattern, @"\{([A-Za-z_][A-Za-z0-9_]*)\}"))
        {
            regex.Append(Regex.Escape(pattern[position..match.Index]));
            regex.Append("(?<").Append(match.Groups[1].Value).Append(">[^/]+)");
            placeholders.Add(match.Groups[1].Value);
            position = match.Index + match.Length;
        }
        regex.Append(Regex.Escape(pattern[position..])).Append('$');
        var firstBrace = pattern.IndexOf('{', StringComparison.Ordinal);
        return new BlobPathPattern(container, firstBrace < 0 ? pattern : pattern[..firstBrace], new Regex(regex.ToString(), RegexOptions.CultureInvariant), placeholders);
    }

    /// <summary>Placeholder values when <paramref name="blobName"/> matches, else null.</summary>
    public IReadOnlyDictionary<string, string>? Match(string blobName)
    {
        var match = _regex.Match(blobName);
        return match.Success ? Placeholders.ToDictionary(p => p, p => match.Groups[p].Value, StringComparer.Ordinal) : null;
    }
}
