namespace NeuralFP.Core.Autoencoders;

/// <summary>
/// Watches the validation error epoch by epoch: says when an epoch is the best so far (keep its weights) and when
/// <c>patience</c> epochs in a row failed to beat the best by <see cref="MinRelativeImprovement"/> (stop).
/// </summary>
internal sealed class EarlyStopping(int patience)
{
    /// <summary>Smaller gains do not reset patience: they are noise, and chasing them only costs epochs.</summary>
    public const double MinRelativeImprovement = 1e-3;

    private double _reference = double.PositiveInfinity;
    private int _sinceImprovement;

    public double Best { get; private set; } = double.PositiveInfinity;

    public int BestEpoch { get; private set; }

    public int Epochs { get; private set; }

    /// <summary>Records one epoch's error; <paramref name="isBest"/> is true when it beats every earlier epoch.</summary>
    /// <returns>Whether training should stop now.</returns>
    public bool Observe(double error, out bool isBest)
    {
        Epochs++;
        isBest = error < Best;
        if (isBest)
        {
            Best = error;
            BestEpoch = Epochs;
        }
        if (error < _reference * (1 - MinRelativeImprovement))
        {
            _reference = error;
            _sinceImprovement = 0;
            return false;
        }
        return ++_sinceImprovement >= patience;
    }
}
