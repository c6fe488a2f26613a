namespace NeuralFP.Core.Detectors.State;

public sealed record EnergyState : DetectorState
{
    public int Classes { get; init; }

    public double Temperature { get; init; } = 1.0;
}
