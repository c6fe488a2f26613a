namespace NeuralFP.Core.Detectors.State;

/// <param name="Classes">Logit count seen at fit time, 0 when never fitted.</param>
public sealed record MaxSoftmaxState : DetectorState
{
    public int Classes { get; init; }
}
