namespace NeuralFP.Core.Explanations;

/// <summary>Why a record got its verdict: the deciding layer and, when the fingerprint has an input-layer autoencoder, the input features behind its error.</summary>
/// <param name="DecidingLayer">The layer whose evidence decided (<see cref="Verdicts.DecidingLayer.Strongest"/>): under an
/// integration the layer behind the score's largest term, under the one-out rule the strongest fired layer.</param>
/// <param name="DecidingLayerFired">Whether that layer's error alone left its interval (the one-out test of that layer; under an
/// integration a record can be out of distribution with no layer out of its own interval).</param>
/// <param name="DecidingPValue">That layer's own p-value.</param>
/// <param name="Input">Per-feature contributions to the input layer's reconstruction error; null when not available.</param>
/// <param name="InputUnavailableReason">Why <paramref name="Input"/> is null.</param>
public sealed record VerdictExplanation(
    string DecidingLayer,
    bool DecidingLayerFired,
    double DecidingPValue,
    InputExplanation? Input,
    string? InputUnavailableReason);

/// <summary>
/// The input layer's reconstruction error split by feature: error = Σ_i c_i with c_i = (z_i − ẑ_i)² / D, z the
/// standardised input and ẑ its reconstruction.
/// </summary>
/// <param name="Layer">The input layer's name.</param>
/// <param name="Error">The layer's error (Σ of all contributions).</param>
/// <param name="TopFeatures">The features contributing most, largest first.</param>
/// <param name="Heatmap">For image inputs ([H,W], [C,H,W]): each pixel's contribution summed over channels, [H][W]; otherwise null.</param>
/// <param name="LargestRegion">The grid cell behind the fingerprint's regional error statistic (<see cref="Activations.InputRegionalError"/>),
/// where a local anomaly is; null when the fingerprint does not read that statistic.</param>
/// <param name="SurprisingColumns">For a table whose fingerprint reads the marginal surprise (<see cref="Activations.InputMarginals"/>):
/// the columns whose values its training rows made least expected, most surprising first; null otherwise.</param>
public sealed record InputExplanation(string Layer, double Error, IReadOnlyList<FeatureContribution> TopFeatures, float[][]? Heatmap, InputRegion? LargestRegion = null,
    IReadOnlyList<ColumnSurprise>? SurprisingColumns = null);

/// <summary>One column's term of a table's marginal surprise.</summary>
/// <param name="Index">The column.</param>
/// <param name="Value">The record's value there.</param>
/// <param name="Surprise">−ln p̂: how unexpected the value is under the column's histogram of training values (nats).</param>
/// <param name="Probability">p̂ = e^−surprise: the share of training values in the value's bin (one pseudo-value per bin).</param>
public sealed record ColumnSurprise(int Index, float Value, double Surprise, double Probability);

/// <summary>One cell of the regional error's grid over the record's last two axes.</summary>
/// <param name="Plane">The cell's plane: the flat index over the record's leading axes (0 for a single-channel image).</param>
/// <param name="Rows">Its rows, [start, end).</param>
/// <param name="Columns">Its columns, [start, end).</param>
/// <param name="Error">Its mean (z − ẑ)²: the statistic the integration read for this record.</param>
/// <param name="Share">Its features' part of the layer error.</param>
public sealed record InputRegion(int Plane, int[] Rows, int[] Columns, double Error, double Share);

/// <param name="Index">Flat index into the record (C order).</param>
/// <param name="Position">The same index per axis of the record shape (e.g. [channel, row, column]).</param>
/// <param name="Value">The record's value there.</param>
/// <param name="Contribution">c_i, this feature's part of the layer error.</param>
/// <param name="Share">c_i / error.</param>
public sealed record FeatureContribution(int Index, int[] Position, float Value, double Contribution, double Share);
