namespace NeuralFP.Functions.Http;

/// <summary>How much each fingerprint verdict carries (<c>?detail=verdict|layers</c>).</summary>
internal static class DetailChoice
{
    public const string Verdict = "verdict";
    public const string Layers = "layers";

    /// <returns>True when each verdict carries its per-layer evidence.</returns>
    /// <exception cref="BadRequestException">Any other value.</exception>
    public static bool Resolve(string? detail) => detail?.Trim().ToLowerInvariant() switch
    {
        null or "" or Verdict => false,
        Layers => true,
        _ => throw new BadRequestException($"detail must be '{Verdict}' (the default) or '{Layers}'; got '{detail}'."),
    };
}
