using System.Text.RegularExpressions;

namespace NeuralFP.Application.Registry;

/// <summary>Model ids are path segments, table row keys and URL segments at once, so they are kept to a safe alphabet.</summary>
public static partial class ModelIds
{
    public static bool IsValid(string? modelId) => modelId is not null && Pattern().IsMatch(modelId);

    public static void Validate(string? modelId)
    {
        if (!IsValid(modelId))
            throw new InvalidModelIdException(modelId);
    }

    // \z, not $: $ also matches before a final newline, and "id\n" would become a blob path and a row key.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}\z")]
    private static partial Regex Pattern();
}
