using NeuralFP.Core.Verdicts;

namespace NeuralFP.Functions.Reports;

/// <summary>One layer of the fingerprint as the report draws it.</summary>
/// <param name="Name">The tapped tensor's name.</param>
/// <param name="Quantiles">Held-out reconstruction errors as quantiles at evenly spaced levels 0..1 (the fingerprint keeps 1001).</param>
/// <param name="Lower">μ: errors below it are suspiciously small; not finite when the rule is one-sided.</param>
/// <param name="Upper">τ: errors above it are too large.</param>
/// <param name="BatchErrors">This layer's error for each record of a posted batch, if any.</param>
public sealed record LayerReport(string Name, double[] Quantiles, double Lower, double Upper, double[]? BatchErrors = null)
{
    public bool HasLower => double.IsFinite(Lower);

    /// <summary>The held-out errors as Core's distribution (quantiles, CDF, histogram): the report computes no statistics of its own.</summary>
    public ErrorDistribution Distribution => new(Quantiles, Quantiles.Length);

    /// <summary>Quantile at <paramref name="level"/>, clamped to [0, 1].</summary>
    public double Quantile(double level) => Distribution.Quantile(Math.Clamp(level, 0, 1));

    public void Validate()
    {
        if (string.IsNullOrEmpty(Name))
        {
            throw new ArgumentException("Every layer in the report needs a name.", nameof(Name));
        }

        if (Quantiles is null || Quantiles.Length < 2)
        {
            throw new ArgumentException($"Layer '{Name}' needs at least 2 quantiles to draw a distribution.", nameof(Quantiles));
        }

        for (int i = 0; i < Quantiles.Length; i++)
        {
            if (!double.IsFinite(Quantiles[i]) || (i > 0 && Quantiles[i] < Quantiles[i - 1]))
            {
                throw new ArgumentException(
                    $"Layer '{Name}': quantiles must be finite and non-decreasing; value {i} is {Quantiles[i]}.", nameof(Quantiles));
            }
        }

        if (!double.IsFinite(Upper))
        {
            throw new ArgumentException($"Layer '{Name}': τ (upper threshold) must be a finite number, not {Upper}.", nameof(Upper));
        }

        if (HasLower && Lower > Upper)
        {
            throw new ArgumentException($"Layer '{Name}': μ ({Lower}) is above τ ({Upper}).", nameof(Lower));
        }

        if (BatchErrors is not null && BatchErrors.Any(e => !double.IsFinite(e)))
        {
            throw new ArgumentException($"Layer '{Name}': batch errors must be finite numbers.", nameof(BatchErrors));
        }
    }

    /// <summary>The one-out rule at this layer: the error falls outside [μ, τ].</summary>
    public bool IsOutside(double error) => error > Upper || (HasLower && error < Lower);
}
