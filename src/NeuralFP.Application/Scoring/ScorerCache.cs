using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;

namespace NeuralFP.Application.Scoring;

/// <summary>
/// Loaded scorers (ONNX Runtime sessions) per model and version. Registry rows are trusted for
/// <see cref="ServiceOptions.RegistryCacheDuration"/>; when a row names a new current version the old
/// scorer is replaced, and disposed after a grace period so requests still using it can finish.
/// </summary>
public sealed class ScorerCache : IDisposable
{
    private static readonly TimeSpan DisposeGrace = TimeSpan.FromSeconds(30);

    private readonly IModelRegistry _registry;
    private readonly IFingerprintStore _fingerprints;
    private readonly ServiceOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (ModelRecord? Record, DateTimeOffset ReadAt)> _records = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<LoadedModel>>> _scorers = new(StringComparer.Ordinal);
    private (IReadOnlyList<ModelRecord> Records, DateTimeOffset ReadAt)? _list;
    private bool _disposed;

    public ScorerCache(IModelRegistry registry, IFingerprintStore fingerprints, ServiceOptions options, ILogger<ScorerCache>? logger = null, TimeProvider? time = null)
    {
        _registry = registry;
        _fingerprints = fingerprints;
        _options = options;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The model's registry row (possibly a little stale, see <see cref="ServiceOptions.RegistryCacheDuration"/>), or null if unknown.</summary>
    public async Task<ModelRecord?> GetRecordAsync(string modelId, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_records.TryGetValue(modelId, out var cached) && now - cached.ReadAt < _options.RegistryCacheDuration)
            return cached.Record;
        var record = await _registry.GetAsync(modelId, cancellationToken).ConfigureAwait(false);
        _records[modelId] = (record, now);
        return record;
    }

    /// <summary>The model's current scorer.</summary>
    /// <exception cref="ModelNotFoundException">No such model.</exception>
    /// <exception cref="ModelNotReadyException">The model has no current fingerprint.</exception>
    public async Task<LoadedModel> GetAsync(string modelId, CancellationToken cancellationToken)
    {
        var record = await GetRecordAsync(modelId, cancellationToken).ConfigureAwait(false) ?? throw new ModelNotFoundException(modelId);
        return await GetAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Scorers of every model that has a current fingerprint.</summary>
    public async Task<IReadOnlyList<LoadedModel>> GetAllReadyAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var list = _list;
        if (list is null || now - list.Value.ReadAt >= _options.RegistryCacheDuration)
        {
            var records = await _registry.ListAsync(cancellationToken).ConfigureAwait(false);
            _list = list = (records, now);
            foreach (var record in records) _records[record.ModelId] = (record, now);
        }
        var loaded = new List<LoadedModel>();
        foreach (var record in list.Value.Records.Where(r => r.CurrentVersion is not null))
            loaded.Add(await GetAsync(record, cancellationToken).ConfigureAwait(false));
        return loaded;
    }

    private async Task<LoadedModel> GetAsync(ModelRecord record, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (record.CurrentVersion is not int version)
            throw new ModelNotReadyException(record.ModelId, record.Status, record.FailureReason);

        while (true)
        {
            var lazy = _scorers.GetOrAdd(record.ModelId, _ => NewLoad(record, version));
            LoadedModel loaded;
            try
            {
                loaded = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // A failed load is not cached: the next request tries again.
                _scorers.TryRemove(new KeyValuePair<string, Lazy<Task<LoadedModel>>>(record.ModelId, lazy));
                throw;
            }
            if (loaded.Version == version)
                return loaded with { Record = record };
            if (loaded.Version > version)
                return loaded; // A fresher registry read already moved this model on; never go back.
            if (_scorers.TryUpdate(record.ModelId, NewLoad(record, version), lazy))
            {
                _logger.LogInformation("Model {ModelId}: version {NewVersion} replaces cached version {OldVersion}.", record.ModelId, version, loaded.Version);
                RetireLater(loaded.Scorer);
            }
        }
    }

    private Lazy<Task<LoadedModel>> NewLoad(ModelRecord record, int version)
        => new(() => LoadAsync(record, version), LazyThreadSafetyMode.ExecutionAndPublication);

    private async Task<LoadedModel> LoadAsync(ModelRecord record, int version)
    {
        // Not tied to one caller's token: other requests may be waiting on the same load.
        var files = await _fingerprints.ReadAsync(record.ModelId, version, CancellationToken.None).ConfigureAwait(false);
        if (files.Count == 0)
            throw new InvalidOperationException($"Model '{record.ModelId}' names version {version} as current but fingerprints/{IFingerprintStore.Prefix(record.ModelId, version)} is empty.");
        Fingerprint fingerprint;
        try
        {
            fingerprint = Fingerprint.FromFiles(files);
        }
        catch (InvalidDataException e)
        {
            throw new FingerprintUnreadableException(record.ModelId, version, e.Message);
        }
        using var sessionOptions = FingerprintScorer.CreateSessionOptions();
        // Requests score concurrently on the thread pool; intra-op threads that spin while idle steal the
        // cores those requests need, which shows as tail latency, so they sleep instead.
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        var scorer = new FingerprintScorer(fingerprint, sessionOptions);
        _logger.LogInformation("Model {ModelId}: loaded fingerprint version {Version}.", record.ModelId, version);
        return new LoadedModel(record, version, scorer);
    }

    private void RetireLater(FingerprintScorer scorer)
        => _ = Task.Delay(DisposeGrace, _time).ContinueWith(_ => scorer.Dispose(), TaskScheduler.Default);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var lazy in _scorers.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
                lazy.Value.Result.Scorer.Dispose();
        }
        _scorers.Clear();
    }
}
