using Microsoft.Extensions.Logging;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;

namespace NeuralFP.Application.Jobs;

/// <summary>
/// Finds the builds nobody is finishing and runs them again: a build whose lease ran out (its owner crashed, was
/// killed, or lost storage) and a build that failed for a transient reason, after a back-off that grows with the
/// time it has been failing. Run periodically (timer) and by any read that sees a stalled build; one model's failure
/// never stops the others.
/// </summary>
public sealed class FingerprintSweep(IModelRegistry registry, FingerprintJob job, ServiceOptions options, ILogger<FingerprintSweep>? logger = null, TimeProvider? time = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Longest wait between two retries of a transient failure.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    /// <summary>The statuses of the rows <see cref="NeedsWork"/> can say yes to.</summary>
    private static readonly ModelStatus[] UnfinishedStatuses = [ModelStatus.Fingerprinting, ModelStatus.Failed];

    /// <summary>Whether the sweep would run this model's build now.</summary>
    public bool NeedsWork(ModelRecord record, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.IsBuildStalled(now)) return true;
        if (record.Status != ModelStatus.Failed || record.FailureIsPermanent || record.BuildingHashes is null) return false;
        // Transient failure: back off from one lease to MaxRetryDelay, doubling with the attempts that failed or were cut off so far.
        var delay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, options.FingerprintLease.Ticks << Math.Min(record.BuildAttempts + Math.Max(record.FailedAttempts - 1, 0), 16)));
        return now - record.UpdatedAt >= delay;
    }

    /// <summary>Runs every model's build that needs it, one after another; returns their outcomes.</summary>
    public async Task<IReadOnlyList<FingerprintOutcome>> RunAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var outcomes = new List<FingerprintOutcome>();
        // Only the rows a sweep can act on: it runs every 30 s on every instance, and ready models' rows are most of the
        // table and its bytes (self-check, integration, detector summaries).
        foreach (var record in await registry.ListAsync(UnfinishedStatuses, cancellationToken).ConfigureAwait(false))
        {
            if (!NeedsWork(record, now)) continue;
            if (await TryRunAsync(record.ModelId, cancellationToken).ConfigureAwait(false) is { } outcome) outcomes.Add(outcome);
        }
        return outcomes;
    }

    /// <summary>For a read that found <paramref name="record"/>: takes over its build if it stalled. Returns null when nothing was due.</summary>
    public async Task<FingerprintOutcome?> TakeOverIfStalledAsync(ModelRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.IsBuildStalled(_time.GetUtcNow()) ? await TryRunAsync(record.ModelId, cancellationToken).ConfigureAwait(false) : null;
    }

    private async Task<FingerprintOutcome?> TryRunAsync(string modelId, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await job.RunAsync(modelId, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Sweep: model {ModelId}: {Kind} — {Message}", modelId, outcome.Kind, outcome.Message);
            return outcome;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Recorded on the row by the job when it could; the next sweep tries again after its back-off.
            _logger.LogWarning(e, "Sweep: model {ModelId} failed again; it will be retried.", modelId);
            return null;
        }
    }
}
