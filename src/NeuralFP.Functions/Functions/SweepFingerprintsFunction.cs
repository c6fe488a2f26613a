using Microsoft.Azure.Functions.Worker;
using NeuralFP.Application.Jobs;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Functions;

/// <summary>
/// On the sweep schedule (<c>NeuralFP__SweepSchedule</c>): takes over builds whose lease ran out (crash, kill, lost
/// storage) and retries transient failures after their back-off, so nothing stays <c>fingerprinting</c> without a
/// new upload or a manual step. A timer, not a background poller, so the app can scale to zero.
/// </summary>
public sealed class SweepFingerprintsFunction(FingerprintSweep sweep)
{
    [Function(FunctionNames.SweepFingerprints)]
    public Task RunAsync([TimerTrigger(FunctionNames.SweepSchedule)] TimerInfo timer, CancellationToken cancellationToken)
        => sweep.RunAsync(cancellationToken);
}
