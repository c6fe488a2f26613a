using NeuralFP.Core.Tensors;

namespace NeuralFP.TestData;

/// <summary>
/// Bilinear resize of [N,C,H,W] images matching torch.nn.functional.interpolate(mode='bilinear',
/// align_corners=False) with an explicit output size: source = (dst + 0.5) * in/out - 0.5, clamped at 0,
/// computed in float32 like torch's CPU kernel so results agree to rounding.
/// </summary>
public static class BilinearResize
{
    public static FloatTensor Resize(FloatTensor images, int outHeight, int outWidth)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Shape.Length != 4)
            throw new ArgumentException($"Expected images shaped [N,C,H,W]; got [{string.Join(",", images.Shape)}].", nameof(images));
        ArgumentOutOfRangeException.ThrowIfLessThan(outHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outWidth, 1);

        int n = images.Shape[0], c = images.Shape[1], inH = images.Shape[2], inW = images.Shape[3];
        var rows = Taps(inH, outHeight);
        var cols = Taps(inW, outWidth);
        var output = new float[n * c * outHeight * outWidth];
        var source = images.Data;
        for (var plane = 0; plane < n * c; plane++)
        {
            var inBase = plane * inH * inW;
            var outBase = plane * outHeight * outWidth;
            for (var y = 0; y < outHeight; y++)
            {
                var (y0, y1, wy0, wy1) = rows[y];
                for (var x = 0; x < outWidth; x++)
                {
                    var (x0, x1, wx0, wx1) = cols[x];
                    output[outBase + y * outWidth + x] =
                        wy0 * (wx0 * source[inBase + y0 * inW + x0] + wx1 * source[inBase + y0 * inW + x1]) +
                        wy1 * (wx0 * source[inBase + y1 * inW + x0] + wx1 * source[inBase + y1 * inW + x1]);
                }
            }
        }
        return new FloatTensor(output, [n, c, outHeight, outWidth]);
    }

    private static (int Low, int High, float LowWeight, float HighWeight)[] Taps(int inSize, int outSize)
    {
        var scale = (float)inSize / outSize;
        var taps = new (int, int, float, float)[outSize];
        for (var i = 0; i < outSize; i++)
        {
            var src = MathF.Max(scale * (i + 0.5f) - 0.5f, 0f);
            var low = Math.Min((int)MathF.Floor(src), inSize - 1);
            var high = low < inSize - 1 ? low + 1 : low;
            var lambda = Math.Clamp(src - low, 0f, 1f);
            taps[i] = (low, high, 1f - lambda, lambda);
        }
        return taps;
    }
}
