using System.Numerics.Tensors;
using NeuralFP.Core.Numerics;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Autoencoders;

/// <summary>Per-feature z-scoring: (x − mean) / scale, with scale floored so constant features stay finite.</summary>
public sealed class Standardizer
{
    /// <summary>Floor of every scale, relative to the pooled standard deviation of all features.</summary>
    public const double RelativeScaleFloor = 1e-3;

    /// <summary>Absolute part of the floor, for layers where every feature is constant.</summary>
    public const double AbsoluteScaleFloor = 1e-6;

    /// <exception cref="ArgumentException">The arrays differ in length, or a scale is not a positive finite number.</exception>
    public Standardizer(float[] mean, float[] scale)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(scale);
        if (mean.Length != scale.Length)
            throw new ArgumentException($"Mean has {mean.Length} features but scale has {scale.Length}; they must match.", nameof(scale));
        if (!TensorPrimitives.IsFiniteAll(mean))
            throw new ArgumentException("Every mean must be a finite number.", nameof(mean));
        foreach (float s in scale)
            if (!(s > 0 && float.IsFinite(s)))
                throw new ArgumentException($"Every scale must be a positive finite number; got {s}.", nameof(scale));
        Mean = mean;
        Scale = scale;
    }

    public float[] Mean { get; }
    public float[] Scale { get; }

    /// <summary>Features per record.</summary>
    public int Width => Mean.Length;

    /// <summary>
    /// Fits per-feature mean and population standard deviation (accumulated in double). Each scale is
    /// max(std, 1e-3 · pooled std + 1e-6), where the pooled std is the root mean of the per-feature variances, so a
    /// constant (e.g. dead ReLU) feature maps to 0 on the reference data instead of dividing by zero.
    /// </summary>
    /// <exception cref="ArgumentException">No records, no features, or a value is NaN or infinite.</exception>
    public static Standardizer Fit(FloatTensor features) => Fit(features, RelativeScaleFloor);

    /// <param name="relativeFloor">Smallest scale as a share of the layer's pooled standard deviation.</param>
    /// <param name="medianReference">Floor relative to the median of the features' standard deviations instead of the
    /// pooled one: for features in different units (a table's raw columns), where a few large-unit features dominate the
    /// pooled spread and would floor the small-unit ones far above their own spread, hiding a shift in them.</param>
    public static Standardizer Fit(FloatTensor features, double relativeFloor, bool medianReference = false)
    {
        ArgumentNullException.ThrowIfNull(features);
        int rows = features.Records, width = features.RecordLength;
        if (rows == 0) throw new ArgumentException("Cannot fit a standardizer on zero records; pass at least one.", nameof(features));
        if (width == 0) throw new ArgumentException("Cannot fit a standardizer on records with no features.", nameof(features));
        int bad = VectorMath.FirstNonFiniteRecord(features.Data, width);
        if (bad >= 0) throw new ArgumentException($"Record {bad} holds NaN or an infinite value; standardizer inputs must be finite.", nameof(features));

        var (mean, variance) = ColumnMoments.Compute(features.Data, rows, width);
        double pooled = 0;
        foreach (double v in variance) pooled += v;
        pooled = Math.Sqrt(pooled / width);
        if (medianReference)
        {
            var spreads = variance.Select(Math.Sqrt).Order().ToArray();
            pooled = width % 2 == 1 ? spreads[width / 2] : 0.5 * (spreads[width / 2 - 1] + spreads[width / 2]);
        }
        double floor = Math.Max(relativeFloor, RelativeScaleFloor) * pooled + AbsoluteScaleFloor;

        var meanF = new float[width];
        var scaleF = new float[width];
        for (int j = 0; j < width; j++)
        {
            meanF[j] = (float)mean[j];
            scaleF[j] = (float)Math.Max(Math.Sqrt(variance[j]), floor);
        }
        return new Standardizer(meanF, scaleF);
    }

    /// <summary>A new [N, D] tensor of standardised features.</summary>
    /// <exception cref="ArgumentException">The records do not have <see cref="Width"/> features.</exception>
    public FloatTensor Transform(FloatTensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var result = new float[features.Data.Length];
        Transform(features, result);
        return new FloatTensor(result, [features.Records, Width]);
    }

    /// <summary>Writes the standardised features into <paramref name="destination"/> (N·D values), allocating nothing.</summary>
    public void Transform(FloatTensor features, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.RecordLength != Width)
            throw new ArgumentException($"Records have {features.RecordLength} features but this standardizer was fitted on {Width}.", nameof(features));
        if (destination.Length < features.Data.Length)
            throw new ArgumentException($"Destination holds {destination.Length} values; {features.Data.Length} are needed.", nameof(destination));
        ReadOnlySpan<float> source = features.Data;
        for (int r = 0; r < features.Records; r++)
            VectorMath.Standardize(source.Slice(r * Width, Width), Mean, Scale, destination.Slice(r * Width, Width));
    }
}
