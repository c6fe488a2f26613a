namespace NeuralFP.Core.Shifts;

/// <summary>
/// Counter-based SplitMix64: value i is the generator's (i+1)-th output from state <c>seed</c>. Chosen
/// because it is trivial to vectorise in NumPy and to reproduce bit-for-bit here (tools/nfp_data.py).
/// </summary>
public static class SplitMix64
{
    private const ulong Golden = 0x9E3779B97F4A7C15;

    public static ulong Value(ulong seed, ulong index)
    {
        unchecked
        {
            var z = seed + (index + 1) * Golden;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }
    }

    /// <summary>A double in [0,1) from the top 53 bits of value <paramref name="index"/>.</summary>
    public static double Uniform01(ulong seed, ulong index) => (Value(seed, index) >> 11) * (1.0 / 9007199254740992.0);
}
