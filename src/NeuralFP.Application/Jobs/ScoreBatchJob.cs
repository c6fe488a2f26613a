using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NeuralFP.Core.Tensors;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Scoring;
using NeuralFP.Application.Serialization;
using NeuralFP.Application.Telemetry;

namespace NeuralFP.Application.Jobs;

/// <summary>
/// Scores one queued batch into <c>results/{batchId}.json</c>. Idempotent per batch id: a redelivered
/// request finds its earlier result (same request hash) and returns it; a different request under a
/// used batch id is refused and the first result stands.
/// </summary>
public sealed class ScoreBatchJob(
    IBatchRecordsSource recordsBlobs,
    ScorerCache scorers,
    IResultsStore results,
    ServiceOptions options,
    ILogger<ScoreBatchJob>? logger = null,
    TimeProvider? time = null,
    DriftTracker? drift = null,
    ServiceTelemetry? telemetry = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ServiceOptions _options = options;

    public Task<ScoreBatchOutcome> RunAsync(string message, CancellationToken cancellationToken)
        => RunAsync(ScoreRequest.Parse(message), cancellationToken);

    public async Task<ScoreBatchOutcome> RunAsync(ScoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        byte[]? npy = null;
        string requestHash;
        if (request.RecordsBlob is { } path)
        {
            npy = await recordsBlobs.DownloadAsync(path, cancellationToken).ConfigureAwait(false);
            requestHash = Hash(request.ModelId, "blob", SHA256.HashData(npy));
        }
        else
        {
            requestHash = Hash(request.ModelId, "inline", Encoding.UTF8.GetBytes(request.Records!.Value.GetRawText()));
        }

        var resultsBlob = results.PathOf(request.BatchId);
        if (await FindEarlierAsync(request.BatchId, requestHash, resultsBlob, cancellationToken).ConfigureAwait(false) is { } earlier)
            return earlier;

        using var lease = await scorers.LeaseAsync(request.ModelId, cancellationToken).ConfigureAwait(false);
        var model = lease.Model;
        TelemetryTags.Enrich(System.Diagnostics.Activity.Current, request.ModelId, model.Version, request.BatchId);
        using var scope = _logger.BeginScope(TelemetryTags.Scope(request.ModelId, model.Version, request.BatchId));
        var records = npy is not null
            ? RecordValidator.Validate(Npy.Read(npy), model.Scorer.InputShape)
            : JsonRecords.Parse(request.Records!.Value, model.Scorer.InputShape);
        if (records.Records > _options.MaxRecordsPerBatch)
            throw new InputTooLargeException($"Batch '{request.BatchId}'", records.Records, _options.MaxRecordsPerBatch, ServiceOptions.MaxRecordsPerBatchSetting);

        var started = _time.GetTimestamp();
        var verdicts = model.Scorer.Score(records, cancellationToken);
        telemetry?.RecordVerdicts(request.ModelId, model.Version, ServiceTelemetry.QueueSource, verdicts, _time.GetElapsedTime(started));
        // Before the result is stored: a retry after a failed write recounts nothing (the window remembers the batch id),
        // while counting after the result could be skipped for good by a retry that finds the result.
        if (drift is not null)
        {
            var outcomes = VerdictOutcomes.Of(verdicts);
            try
            {
                await drift.RecordAsync(new DriftBatch(request.ModelId, model.Version, model.Scorer.Fingerprint.Manifest.Calibration.TargetFpr, outcomes.Outcomes, request.BatchId,
                    LayerFires: outcomes.LayerFires), cancellationToken).ConfigureAwait(false);
                drift.Health.Landed();
            }
            catch (StorageRejectedException rejected)
            {
                // Refused for good (access, a table that cannot be created, content): retrying the message would only send the
                // batch to the poison queue without its result. The result is written; the drift count is given up, counted.
                // Transient failures still fail the delivery, which the queue retries (the window counts the batch id once).
                drift.Health.Refused(rejected, request.ModelId);
                drift.Health.Drop(outcomes.Outcomes.Length, DriftWriteHealth.RefusedBatch, request.ModelId, $"batch '{request.BatchId}' was scored and its result written without them.");
            }
        }
        var summary = Summarise(request, model.Version, verdicts, resultsBlob, requestHash);
        var document = BatchResultDocument.Write(summary, verdicts);
        if (!await results.TryCreateAsync(request.BatchId, document, requestHash, cancellationToken).ConfigureAwait(false))
        {
            // Another delivery finished first; its result stands if it answered the same request.
            return await FindEarlierAsync(request.BatchId, requestHash, resultsBlob, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Result of batch '{request.BatchId}' exists but cannot be read.");
        }
        _logger.LogInformation("Batch {BatchId}: {Records} records scored with model {ModelId} version {Version}, {Ood} OOD.", request.BatchId, summary.Records, request.ModelId, model.Version, summary.OodRecords);
        return new ScoreBatchOutcome(summary, Reused: false);
    }

    private async Task<ScoreBatchOutcome?> FindEarlierAsync(string batchId, string requestHash, string resultsBlob, CancellationToken cancellationToken)
    {
        var stored = await results.GetAsync(batchId, cancellationToken).ConfigureAwait(false);
        if (stored is null) return null;
        if (!string.Equals(stored.RequestSha256, requestHash, StringComparison.Ordinal))
            throw new BatchConflictException(batchId, resultsBlob);
        var summary = JsonSerializer.Deserialize<StoredSummary>(stored.Json, JsonDefaults.Options)?.Summary
            ?? throw new InvalidOperationException($"{resultsBlob} has no summary.");
        _logger.LogInformation("Batch {BatchId}: already scored ({ResultsBlob}); not scoring again.", batchId, resultsBlob);
        return new ScoreBatchOutcome(summary, Reused: true);
    }

    private sealed record StoredSummary(BatchSummary Summary);

    private BatchSummary Summarise(ScoreRequest request, int version, Core.Verdicts.VerdictBatch verdicts, string resultsBlob, string requestHash)
    {
        var fired = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var layer in verdicts.Layers) fired[layer] = 0;
        var scoreSum = 0.0;
        for (var r = 0; r < verdicts.Count; r++)
        {
            scoreSum += verdicts.Scores[r];
            var layers = verdicts.Fired(r);
            for (var l = 0; l < layers.Length; l++)
                if (layers[l]) fired[verdicts.Layers[l]]++;
        }
        var n = verdicts.Count;
        var ood = verdicts.OodCount;
        return new BatchSummary(request.BatchId, request.ModelId, version, n, ood, n == 0 ? 0 : (double)ood / n, n == 0 ? 0 : scoreSum / n, fired, resultsBlob, requestHash, _time.GetUtcNow());
    }

    private static string Hash(string modelId, string kind, byte[] content)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{modelId}\n{kind}\n"));
        sha.AppendData(content);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
