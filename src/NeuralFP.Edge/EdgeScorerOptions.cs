using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Monitoring;

namespace NeuralFP.Edge;

public sealed record EdgeScorerOptions
{
    /// <summary>
    /// The local OOD-rate window and its binomial alarm, as the service's drift monitor runs them (same defaults: 500
    /// verdicts, α = 0.001, at least 50 verdicts). The expected rate is always the fingerprint's calibrated FPR.
    /// </summary>
    public DriftOptions Drift { get; init; } = new();

    /// <summary>ONNX Runtime session options (default: all optimisations, one intra-op thread per core).</summary>
    public SessionOptions? SessionOptions { get; init; }
}
