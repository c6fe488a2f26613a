using Microsoft.Extensions.Logging;

namespace NeuralFP.Application.Jobs;

/// <summary>
/// A build's progress lines as log entries, written at once from whichever thread reports them: which layers, each
/// autoencoder's epochs and seconds, the detectors' realised FPRs, the phases' times, and warnings an operator acts on
/// (a loose calibration, layers left out of the score, a detector left out of the combined one). <c>nfp</c> prints the same lines.
/// </summary>
internal sealed class BuildLog(ILogger logger, string modelId, int version) : IProgress<string>
{
    public void Report(string value) =>
        logger.LogInformation("Model {ModelId}: version {Version}: {BuildProgress}", modelId, version, value);
}
