namespace NeuralFP.Application.Jobs;

public enum FingerprintOutcomeKind
{
    /// <summary>A new version was built and is now current.</summary>
    Built,
    /// <summary>The current fingerprint (or the last permanent failure) already covers this exact content.</summary>
    Unchanged,
    /// <summary>model.onnx or reference.npy is still missing.</summary>
    WaitingForFiles,
    /// <summary>Another invocation is building this exact content.</summary>
    InProgressElsewhere,
    /// <summary>The inputs cannot be fingerprinted; the registry says why.</summary>
    Failed,
    /// <summary>Newer content was claimed while this build ran; the newer build decides what becomes current.</summary>
    Superseded,
}
