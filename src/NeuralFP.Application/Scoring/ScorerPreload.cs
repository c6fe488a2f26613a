using Microsoft.Extensions.Logging;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Registry;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Application.Scoring;

/// <summary>
/// Loads the scorers of the models named in <see cref="ServiceOptions.PreloadModels"/> before anyone asks for them, so
/// that the first caller of a new instance (an always-ready one, a scale-out, a restarted worker) does not wait for the
/// fingerprint's download, its ONNX Runtime sessions and the scoring path's first run. Each model is leased once and
/// scored on zero records: one record (the inline session) and a batch past the inline limit (the pooled one). A model
/// that cannot be loaded is logged and skipped: preloading only saves time, the first request would load it anyway.
/// </summary>
public sealed class ScorerPreload(ScorerCache scorers, ServiceOptions options, ILogger<ScorerPreload> logger, TimeProvider time)
{
    /// <summary>Preloads every named model in turn; returns how many were loaded.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (options.PreloadModels.Count == 0) return 0;
        var everyReady = options.PreloadModels.Contains(ServiceOptions.PreloadEveryModel);
        IEnumerable<string> ids = options.PreloadModels;
        if (everyReady)
        {
            try
            {
                ids = [.. (await scorers.ListReadyAsync(cancellationToken).ConfigureAwait(false)).Select(r => r.ModelId)];
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Preloading: the registry could not be listed ({Error}); models load on their first request.", e.Message);
                return 0;
            }
        }

        var loaded = 0;
        long largest = 0;
        foreach (var modelId in ids.Distinct(StringComparer.Ordinal))
        {
            // "*" stops before the cache would evict what it has just loaded; named models are loaded as asked.
            if (everyReady && scorers.ResidentBytes + largest > options.ScorerCacheBytes)
            {
                logger.LogInformation("Preloading stopped at {Loaded} models: the scorer cache ({Budget} bytes) is full.", loaded, options.ScorerCacheBytes);
                break;
            }
            var started = time.GetTimestamp();
            try
            {
                using var lease = await scorers.LeaseAsync(modelId, cancellationToken).ConfigureAwait(false);
                Warm(lease.Model, cancellationToken);
                largest = Math.Max(largest, lease.Model.EstimatedBytes);
                loaded++;
                logger.LogInformation("Model {ModelId}: preloaded version {Version} in {Milliseconds:F0} ms.", modelId, lease.Model.Version, time.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is ModelNotFoundException or ModelNotReadyException or FingerprintUnreadableException)
            {
                logger.LogWarning("Model {ModelId}: not preloaded: {Reason}", modelId, e.Message);
            }
            catch (Exception e)
            {
                // Storage trouble: the first request retries with its own policy.
                logger.LogWarning("Model {ModelId}: not preloaded ({Error}); it loads on its first request.", modelId, e.Message);
            }
        }
        return loaded;
    }

    /// <summary>One run of each session the scoring path uses, on zero records (their verdicts are dropped).</summary>
    private void Warm(LoadedModel model, CancellationToken cancellationToken)
    {
        var shape = model.Scorer.InputShape;
        var length = shape.Aggregate(1, (product, d) => product * d);
        try
        {
            foreach (var records in new[] { 1, options.InlineBatchRecords + 1 }.Distinct())
                model.Scorer.Score(new FloatTensor(new float[records * length], [records, .. shape]), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A model whose graph refuses zeros is still loaded; its first request compiles the path instead.
            logger.LogDebug("Model {ModelId}: the warm-up run failed ({Error}); the scorer stays loaded.", model.ModelId, e.Message);
        }
    }
}
