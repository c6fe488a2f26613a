using NeuralFP.Core.Detectors.State;
using NeuralFP.Core.Onnx;

namespace NeuralFP.Core.Detectors;

/// <summary>Creates detectors by name with default options, and restores them from saved state.</summary>
public static class OodDetectorCatalog
{
    public static IReadOnlyList<string> Names => DetectorNames.All;

    /// <param name="name">One of <see cref="DetectorNames.All"/>.</param>
    /// <param name="head">The model's last linear layer (<see cref="LinearHeadReader"/>); only DICE needs it.</param>
    /// <param name="seed">Seed for the detectors that sample (k-NN's bank).</param>
    public static IOodDetector Create(string name, LinearHead? head = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            DetectorNames.MaxSoftmax => new MaxSoftmaxDetector(),
            DetectorNames.Energy => new EnergyDetector(),
            DetectorNames.Dice => new DiceDetector(head ?? throw new ArgumentException(
                "DICE needs the model's last linear layer; read it with LinearHeadReader.Read(model) and pass it as 'head'.", nameof(head))),
            DetectorNames.Mahalanobis => new MahalanobisDetector(),
            DetectorNames.Knn => new KnnDetector(new KnnOptions { Seed = seed }),
            DetectorNames.ActivationPatterns => new ActivationPatternMonitor(),
            DetectorNames.NodeHistograms => new NodeHistogramDetector(),
            DetectorNames.GaussianKl => new GaussianKlDetector(),
            DetectorNames.Combined => new CombinedDetector([CombinedDetector.FingerprintMember, .. CombinedDetector.DefaultPartners.Where(p => head is not null || p == DetectorNames.Energy)], CombinedDetector.DefaultRule, fingerprintShare: CombinedDetector.DefaultRuleFingerprintShare),
            _ => throw new ArgumentException($"Unknown detector '{name}'; known detectors: {string.Join(", ", DetectorNames.All)}.", nameof(name)),
        };
    }

    public static IOodDetector Load(DetectorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state switch
        {
            MaxSoftmaxState s => MaxSoftmaxDetector.Load(s),
            EnergyState s => EnergyDetector.Load(s),
            DiceState s => DiceDetector.Load(s),
            MahalanobisState s => MahalanobisDetector.Load(s),
            KnnState s => KnnDetector.Load(s),
            ActivationPatternState s => ActivationPatternMonitor.Load(s),
            NodeHistogramState s => NodeHistogramDetector.Load(s),
            GaussianKlState s => GaussianKlDetector.Load(s),
            CombinedState s => CombinedDetector.Load(s),
            _ => throw new NotSupportedException($"No detector reads state of type {state.GetType().Name}."),
        };
    }
}
