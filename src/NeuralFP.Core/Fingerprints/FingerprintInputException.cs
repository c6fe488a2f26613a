namespace NeuralFP.Core.Fingerprints;

/// <summary>What the uploader (or, for a limit, the operator) must change for a fingerprint to build.</summary>
public enum FingerprintInput
{
    /// <summary><c>model.onnx</c>: not ONNX, not runnable, no tappable layer, …</summary>
    Model,

    /// <summary><c>reference.npy</c>: malformed, wrong shape, too few records, non-finite or degenerate values.</summary>
    Reference,

    /// <summary><c>fingerprint.json</c>: malformed or an option out of range.</summary>
    Options,

    /// <summary>A build limit of the service (<see cref="BuildLimits"/>): the options ask for more than it allows.</summary>
    Limit,
}

/// <summary>
/// A fingerprint cannot be built from these inputs, now or on any retry: the message says what to change and
/// <see cref="Input"/> which file or setting. Everything else a build throws is the service's problem and may be retried.
/// </summary>
public sealed class FingerprintInputException(FingerprintInput input, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public FingerprintInput Input { get; } = input;
}
