using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralFP.Core.Autoencoders;

/// <summary>
/// Adam (β1 0.9, β2 0.999, ε 1e-8) over a fixed set of parameter arrays, with bias correction. Element-wise, so it is
/// deterministic, needs no reduction, and splits across threads without changing a bit.
/// </summary>
internal sealed class AdamOptimizer
{
    private const float Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;

    private readonly float[][] _parameters;
    private readonly float[][] _gradients;
    private readonly float[][] _firstMoments;
    private readonly float[][] _secondMoments;
    private readonly double _learningRate;
    private int _step;

    /// <summary>Elements per piece of a parallel step: a multiple of every vector width, so each element takes the same path (vector or scalar tail) as in a serial step.</summary>
    private const int ChunkElements = 16_384;

    /// <summary>Below this many parameters a step runs on the calling thread: fan-out would cost more than it saves.</summary>
    private const int ParallelThreshold = 4 * ChunkElements;

    private readonly (int Array, int Start, int Length)[] _chunks;
    private readonly int _maxThreads;

    /// <param name="parameters">Arrays updated in place.</param>
    /// <param name="gradients">Arrays of the same lengths, filled by the caller before each <see cref="Step"/>.</param>
    /// <param name="maxThreads">Threads for a step (0: all cores); element-wise, so results do not depend on it.</param>
    public AdamOptimizer(float[][] parameters, float[][] gradients, double learningRate, int maxThreads = 1)
    {
        _parameters = parameters;
        _gradients = gradients;
        _learningRate = learningRate;
        _firstMoments = Array.ConvertAll(parameters, p => new float[p.Length]);
        _secondMoments = Array.ConvertAll(parameters, p => new float[p.Length]);
        _maxThreads = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
        var chunks = new List<(int, int, int)>();
        for (int t = 0; t < parameters.Length; t++)
            for (int start = 0; start < parameters[t].Length; start += ChunkElements)
                chunks.Add((t, start, Math.Min(ChunkElements, parameters[t].Length - start)));
        _chunks = [.. chunks];
    }

    public void Step()
    {
        _step++;
        float stepSize = (float)(_learningRate / (1 - Math.Pow(Beta1, _step)));
        float secondCorrection = (float)(1 / Math.Sqrt(1 - Math.Pow(Beta2, _step)));
        long total = _parameters.Sum(p => (long)p.Length);
        if (_maxThreads == 1 || total < ParallelThreshold)
        {
            for (int t = 0; t < _parameters.Length; t++)
                Update(_parameters[t], _gradients[t], _firstMoments[t], _secondMoments[t], stepSize, secondCorrection);
            return;
        }
        Parallel.For(0, _chunks.Length, new ParallelOptions { MaxDegreeOfParallelism = _maxThreads }, c =>
        {
            var (t, start, length) = _chunks[c];
            Update(_parameters[t].AsSpan(start, length), _gradients[t].AsSpan(start, length), _firstMoments[t].AsSpan(start, length), _secondMoments[t].AsSpan(start, length), stepSize, secondCorrection);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per chunk, every step: tier 0 would cost a cold process's first build
    private static void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float stepSize, float secondCorrection)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var wv = MemoryMarshal.Cast<float, Vector<float>>(w);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
            var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            var b1 = new Vector<float>(Beta1); var c1 = new Vector<float>(1 - Beta1);
            var b2 = new Vector<float>(Beta2); var c2 = new Vector<float>(1 - Beta2);
            var eps = new Vector<float>(Epsilon); var size = new Vector<float>(stepSize); var correction = new Vector<float>(secondCorrection);
            for (int k = 0; k < wv.Length; k++)
            {
                var grad = gv[k];
                var first = b1 * mv[k] + c1 * grad;
                var second = b2 * vv[k] + c2 * (grad * grad);
                mv[k] = first;
                vv[k] = second;
                wv[k] -= size * first / (Vector.SquareRoot(second) * correction + eps);
            }
            i = wv.Length * Vector<float>.Count;
        }
        for (; i < w.Length; i++)
        {
            float grad = g[i];
            float first = Beta1 * m[i] + (1 - Beta1) * grad;
            float second = Beta2 * v[i] + (1 - Beta2) * (grad * grad);
            m[i] = first;
            v[i] = second;
            w[i] -= stepSize * first / (MathF.Sqrt(second) * secondCorrection + Epsilon);
        }
    }
}
