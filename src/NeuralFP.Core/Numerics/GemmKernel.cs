namespace NeuralFP.Core.Numerics;

/// <summary>Which micro-kernel computes the MR×NR tiles of a matrix product.</summary>
internal enum GemmKernel
{
    /// <summary>System.Numerics.Vector&lt;T&gt; multiply-add: runs anywhere.</summary>
    Portable,

    /// <summary>Vector256 with fused multiply-add (x86 AVX2 + FMA3).</summary>
    Avx2Fma,

    /// <summary>Vector512 with fused multiply-add (x86 AVX-512F).</summary>
    Avx512,
}
