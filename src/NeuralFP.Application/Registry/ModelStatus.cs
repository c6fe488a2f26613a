namespace NeuralFP.Application.Registry;

/// <summary>Where a model is in its life: waiting for its files, being fingerprinted, serving, or failed (with a reason).</summary>
public enum ModelStatus
{
    Pending,
    Fingerprinting,
    Ready,
    Failed,
}
