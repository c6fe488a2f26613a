namespace NeuralFP.Core.Activations;

/// <summary>
/// The input layer's largest regional error: its squared standardised residuals (z − ẑ)² averaged over each cell of a
/// g×g grid of the record's last two axes (PyTorch adaptive bins; each combination of the leading axes, e.g. a colour
/// channel, a plane of its own), maximised over planes and cells. The input layer's error is the mean over the whole
/// record, so a local anomaly (a patch over part of an image, a sticker on the lens, a dead region of a sensor) is diluted
/// in it; in its own cell it is not. The density integrations read it after the input's complexity measures
/// (<see cref="Fingerprints.FingerprintOptions.InputRegionalGrid"/>).
/// </summary>
public static class InputRegionalError
{
    public const string Output = "nfp_input_regional_error";

    /// <summary>The statistic's name in fingerprint.json's notes.</summary>
    public const string Name = "input regional error";

    /// <summary>Planes, height and width of a record of this shape, or null when it has fewer than two axes or one of its
    /// last two is shorter than the grid (then there are no regions to tell apart).</summary>
    public static (int Planes, int Height, int Width)? Layout(IReadOnlyList<int> recordShape, int grid)
    {
        ArgumentNullException.ThrowIfNull(recordShape);
        if (recordShape.Count < 2 || grid < 2) return null;
        int height = recordShape[^2], width = recordShape[^1];
        if (height < grid || width < grid) return null;
        var planes = 1;
        for (var a = 0; a < recordShape.Count - 2; a++) planes = checked(planes * recordShape[a]);
        return (planes, height, width);
    }

    /// <summary>The statistic of one record's squared residuals (z − ẑ)², laid out as <see cref="Layout"/> says.</summary>
    public static float Measure(ReadOnlySpan<float> squaredResiduals, (int Planes, int Height, int Width) layout, int grid) =>
        (float)Largest(squaredResiduals, layout, grid).Mean;

    /// <summary>The cell the statistic comes from: its plane, its rows and columns [start, end), and its mean squared residual
    /// (the first such cell in plane, row, column order when several tie).</summary>
    public static (int Plane, int RowStart, int RowEnd, int ColumnStart, int ColumnEnd, double Mean) Largest(
        ReadOnlySpan<float> squaredResiduals, (int Planes, int Height, int Width) layout, int grid)
    {
        var (planes, height, width) = layout;
        if (squaredResiduals.Length != planes * height * width)
            throw new ArgumentException($"{squaredResiduals.Length} residuals do not fill {planes} planes of {height}×{width}.", nameof(squaredResiduals));
        (int, int, int, int, int, double) largest = (0, 0, 0, 0, 0, double.NegativeInfinity);
        for (var p = 0; p < planes; p++)
            for (var by = 0; by < grid; by++)
                for (var bx = 0; bx < grid; bx++)
                {
                    int y0 = AdaptiveBins.Start(by, height, grid), y1 = AdaptiveBins.End(by, height, grid);
                    int x0 = AdaptiveBins.Start(bx, width, grid), x1 = AdaptiveBins.End(bx, width, grid);
                    double sum = 0;
                    for (var y = y0; y < y1; y++)
                        for (var x = x0; x < x1; x++) sum += squaredResiduals[(p * height + y) * width + x];
                    var mean = sum / ((y1 - y0) * (x1 - x0));
                    if (mean > largest.Item6) largest = (p, y0, y1, x0, x1, mean);
                }
        return largest;
    }
}
