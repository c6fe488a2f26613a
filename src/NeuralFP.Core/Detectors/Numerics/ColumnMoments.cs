using System.Buffers;
using System.Numerics.Tensors;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Detectors.Numerics;

/// <summary>Per-column mean and population variance of an [N, D] matrix, accumulated in double (two passes).</summary>
internal static class ColumnMoments
{
    public static double[] Mean(FloatTensor x)
    {
        var width = x.RecordLength;
        var sum = new double[width];
        var row = ArrayPool<double>.Shared.Rent(width);
        try
        {
            var r = row.AsSpan(0, width);
            for (var i = 0; i < x.Records; i++)
            {
                TensorPrimitives.ConvertChecked(x.Record(i), r);
                TensorPrimitives.Add(sum, r, sum);
            }
        }
        finally { ArrayPool<double>.Shared.Return(row); }
        TensorPrimitives.Divide(sum, x.Records, sum);
        return sum;
    }

    public static (double[] Mean, double[] Variance) MeanAndVariance(FloatTensor x)
    {
        var mean = Mean(x);
        var width = x.RecordLength;
        var squares = new double[width];
        var row = ArrayPool<double>.Shared.Rent(width);
        try
        {
            var r = row.AsSpan(0, width);
            for (var i = 0; i < x.Records; i++)
            {
                TensorPrimitives.ConvertChecked(x.Record(i), r);
                TensorPrimitives.Subtract(r, mean, r);
                TensorPrimitives.MultiplyAdd(r, r, squares, squares);
            }
        }
        finally { ArrayPool<double>.Shared.Return(row); }
        TensorPrimitives.Divide(squares, x.Records, squares);
        return (mean, squares);
    }
}
