using System.Numerics.Tensors;

namespace NeuralFP.Core.Detectors.Numerics;

/// <summary>Softmax-family reductions of one logit vector, stable for large logits.</summary>
internal static class LogitMath
{
    /// <summary>First index of the largest logit.</summary>
    public static int ArgMax(ReadOnlySpan<float> logits) => TensorPrimitives.IndexOfMax(logits);

    /// <summary>log Σ exp(x_k); <paramref name="scratch"/> needs the logits' length.</summary>
    public static double LogSumExp(ReadOnlySpan<float> logits, Span<float> scratch)
    {
        var max = TensorPrimitives.Max(logits);
        var shifted = scratch[..logits.Length];
        TensorPrimitives.Subtract(logits, max, shifted);
        TensorPrimitives.Exp(shifted, shifted);
        return max + Math.Log(TensorPrimitives.Sum<float>(shifted));
    }

    /// <summary>The largest softmax probability, exp(0) / Σ exp(x_k − max).</summary>
    public static double MaxSoftmax(ReadOnlySpan<float> logits, Span<float> scratch)
    {
        var max = TensorPrimitives.Max(logits);
        var shifted = scratch[..logits.Length];
        TensorPrimitives.Subtract(logits, max, shifted);
        TensorPrimitives.Exp(shifted, shifted);
        return 1.0 / TensorPrimitives.Sum<float>(shifted);
    }
}
