using NeuralFP.Core.Explanations;

namespace NeuralFP.Functions.Http;

/// <summary>Whether a verdicts request asks for explanations (<c>?explain=true</c>) and how many input features each names (<c>?top=k</c>).</summary>
internal static class ExplainChoice
{
    /// <returns>null when no explanations are asked for, else the top-k.</returns>
    /// <exception cref="BadRequestException">A value that is not a boolean or not a k in range.</exception>
    public static int? Resolve(string? explain, string? top)
    {
        var wanted = explain?.Trim().ToLowerInvariant() switch
        {
            null or "" or "false" or "0" => false,
            "true" or "1" => true,
            _ => throw new BadRequestException($"explain must be true or false; got '{explain}'."),
        };
        if (!wanted)
        {
            if (!string.IsNullOrWhiteSpace(top)) throw new BadRequestException("top applies to explanations; add explain=true.");
            return null;
        }
        if (string.IsNullOrWhiteSpace(top)) return FingerprintExplainer.DefaultTopK;
        return int.TryParse(top.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var k) && k is >= 1 and <= FingerprintExplainer.MaxTopK
            ? k
            : throw new BadRequestException($"top must be a whole number from 1 to {FingerprintExplainer.MaxTopK}; got '{top}'.");
    }
}
