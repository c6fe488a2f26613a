using System.Buffers;
using NeuralFP.Core.Detectors.Numerics;
using NeuralFP.Core.Detectors.State;

namespace NeuralFP.Core.Detectors;

// Liu, Wang, Owens & Li, "Energy-based Out-of-distribution Detection", NeurIPS 2020.
/// <summary>Free energy E(x) = −T·log Σ_k exp(f_k(x)/T) of the logits (T = 1 by default); higher = more OOD. Stateless.</summary>
public sealed class EnergyDetector : IOodDetector
{
    private int _classes;

    public EnergyDetector(double temperature = 1.0)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The energy temperature must be a positive finite number (the paper uses 1).");
        Temperature = temperature;
    }

    public double Temperature { get; }

    public string Name => DetectorNames.Energy;

    public string Description => $"score = −{Temperature:G}·logsumexp(logits/{Temperature:G}); keeps no state";

    public bool IsFitted => true;

    public bool KeepsReferenceData => false;

    public long StateBytes => 0;

    public void Fit(DetectorInputs reference, CancellationToken cancellationToken = default)
    {
        DetectorGuard.NotEmpty(reference, Name);
        _classes = reference.RequireLogits(Name).RecordLength;
    }

    public void Score(DetectorInputs records, Span<double> scores)
    {
        DetectorGuard.ScoreSpan(records, scores);
        var logits = records.RequireLogits(Name);
        if (_classes > 0) DetectorGuard.Width(logits, _classes, Name, "logits");
        var width = logits.RecordLength;
        var scratch = ArrayPool<float>.Shared.Rent(2 * width);
        try
        {
            var scaled = scratch.AsSpan(width, width);
            var inverse = (float)(1.0 / Temperature);
            for (var i = 0; i < records.Records; i++)
            {
                var row = logits.Record(i);
                if (Temperature == 1.0)
                {
                    scores[i] = -LogitMath.LogSumExp(row, scratch);
                }
                else
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(row, inverse, scaled);
                    scores[i] = -Temperature * LogitMath.LogSumExp(scaled, scratch);
                }
            }
        }
        finally { ArrayPool<float>.Shared.Return(scratch); }
    }

    public DetectorState Save() => new EnergyState { Classes = _classes, Temperature = Temperature };

    internal static EnergyDetector Load(EnergyState state)
    {
        state.EnsureReadable(DetectorNames.Energy);
        return new EnergyDetector(state.Temperature) { _classes = state.Classes };
    }
}
