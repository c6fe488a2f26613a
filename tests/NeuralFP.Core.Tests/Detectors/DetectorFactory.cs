using NeuralFP.Core.Detectors;

namespace NeuralFP.Core.Tests.Detectors;

/// <summary>Every single detector, configured for <see cref="SyntheticActivations"/> (the combined one scores through members: CombinedDetectorTests).</summary>
internal static class DetectorFactory
{
    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in DetectorNames.All.Where(n => n != DetectorNames.Combined)) data.Add(name);
            return data;
        }
    }

    public static IOodDetector Create(string name) => name switch
    {
        // The synthetic head has only 24 weights: keep 6 so that every class unit survives the cut.
        DetectorNames.Dice => new DiceDetector(SyntheticActivations.Head, new DiceOptions { Percentile = 75 }),
        _ => OodDetectorCatalog.Create(name, SyntheticActivations.Head, seed: 3),
    };
}
