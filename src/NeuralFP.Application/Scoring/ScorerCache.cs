using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;

namespace NeuralFP.Application.Scoring;

/// <summary>
/// Loaded scorers (ONNX Runtime sessions) per model, bounded by <see cref="ServiceOptions.ScorerCacheBytes"/> and
/// evicted least recently used first. A caller holds a <see cref="ScorerLease"/> while it scores; a scorer that is
/// evicted or replaced by a newer version is disposed only when its last lease is released, so no session is ever
/// disposed under a request. Registry rows are trusted for <see cref="ServiceOptions.RegistryCacheDuration"/>.
/// </summary>
public sealed class ScorerCache : IDisposable
{
    private readonly IModelRegistry _registry;
    private readonly IFingerprintStore _fingerprints;
    private readonly ServiceOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (ModelRecord? Record, DateTimeOffset ReadAt)> _records = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private (IReadOnlyList<ModelRecord> Records, DateTimeOffset ReadAt)? _list;
    private long _clock;
    private long _residentBytes;
    private long _cachedBytes;
    private bool _disposed;

    public ScorerCache(IModelRegistry registry, IFingerprintStore fingerprints, ServiceOptions options, ILogger<ScorerCache>? logger = null, TimeProvider? time = null)
    {
        _registry = registry;
        _fingerprints = fingerprints;
        _options = options;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Estimated bytes of the scorers loaded and not yet disposed (in the cache, or evicted but still leased).</summary>
    public long ResidentBytes
    {
        get { lock (_gate) return _residentBytes; }
    }

    /// <summary>Scorers loaded and not yet disposed.</summary>
    public int ResidentCount { get; private set; }

    /// <summary>The model's registry row (possibly a little stale, see <see cref="ServiceOptions.RegistryCacheDuration"/>), or null if unknown.</summary>
    public async Task<ModelRecord?> GetRecordAsync(string modelId, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_records.TryGetValue(modelId, out var cached) && now - cached.ReadAt < _options.RegistryCacheDuration)
            return cached.Record;
        ModelRecord? record;
        try
        {
            record = await _registry.GetAsync(modelId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && cached.ReadAt != default)
        {
            // Storage is failing: the last row read is better than no answer, and a loaded scorer needs nothing else.
            _logger.LogWarning("Model {ModelId}: registry unreadable ({Error}); serving the row read at {ReadAt:O}.", modelId, e.Message, cached.ReadAt);
            return cached.Record;
        }
        _records[modelId] = (record, now);
        return record;
    }

    /// <summary>The model's current scorer, leased until the lease is disposed.</summary>
    /// <exception cref="ModelNotFoundException">No such model.</exception>
    /// <exception cref="ModelNotReadyException">The model has no current fingerprint.</exception>
    /// <exception cref="FingerprintUnreadableException">The current fingerprint's files are missing or unreadable.</exception>
    public async Task<ScorerLease> LeaseAsync(string modelId, CancellationToken cancellationToken)
    {
        var record = await GetRecordAsync(modelId, cancellationToken).ConfigureAwait(false) ?? throw new ModelNotFoundException(modelId);
        return await LeaseAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registry rows of every model that has a current fingerprint (lease each with <see cref="LeaseAsync(ModelRecord, CancellationToken)"/>, one at a time, to stay within the cache's bytes).</summary>
    public async Task<IReadOnlyList<ModelRecord>> ListReadyAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var list = _list;
        if (list is null || now - list.Value.ReadAt >= _options.RegistryCacheDuration)
        {
            var records = await _registry.ListAsync(cancellationToken).ConfigureAwait(false);
            _list = list = (records, now);
            foreach (var record in records) _records[record.ModelId] = (record, now);
        }
        return [.. list.Value.Records.Where(r => r.CurrentVersion is not null)];
    }

    /// <inheritdoc cref="LeaseAsync(string, CancellationToken)"/>
    public async Task<ScorerLease> LeaseAsync(ModelRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.CurrentVersion is not int version)
            throw new ModelNotReadyException(record.ModelId, record.Status, record.FailureReason);

        Entry entry;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entries.TryGetValue(record.ModelId, out entry!) || entry.Version < version)
            {
                if (entry is not null)
                {
                    _logger.LogInformation("Model {ModelId}: version {NewVersion} replaces cached version {OldVersion}.", record.ModelId, version, entry.Version);
                    RetireLocked(entry);
                }
                entry = new Entry(record.ModelId, version, new Lazy<Task<LoadedModel>>(() => LoadAsync(record, version), LazyThreadSafetyMode.ExecutionAndPublication));
                _entries[record.ModelId] = entry;
            }
            // A newer version than the row names means a fresher read already moved the model on: never go back.
            entry.Leases++;
            entry.LastUsed = ++_clock;
        }

        LoadedModel loaded;
        try
        {
            loaded = await entry.Load.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                entry.Leases--;
                // A failed load is not cached: the next request tries again.
                if (!cancellationToken.IsCancellationRequested || e is not OperationCanceledException)
                    if (_entries.TryGetValue(record.ModelId, out var mapped) && mapped == entry && entry.Load.Value.IsFaulted) _entries.Remove(record.ModelId);
            }
            throw;
        }

        lock (_gate)
        {
            if (!entry.Counted && !entry.Disposed)
            {
                entry.Counted = true;
                _residentBytes += entry.Bytes = loaded.EstimatedBytes;
                if (!entry.Retired) _cachedBytes += entry.Bytes;
                ResidentCount++;
            }
            EvictOverBudgetLocked(keep: entry);
        }
        return new ScorerLease(this, entry, loaded.Version == version ? loaded with { Record = record } : loaded);
    }

    internal void Release(Entry entry)
    {
        lock (_gate)
        {
            entry.Leases--;
            if (entry.Retired && entry.Leases == 0) DisposeLocked(entry);
        }
    }

    // Least recently used first; idle scorers go at once, leased ones when their last lease ends.
    private void EvictOverBudgetLocked(Entry keep)
    {
        while (_cachedBytes > _options.ScorerCacheBytes)
        {
            Entry? victim = null;
            foreach (var candidate in _entries.Values)
                if (candidate != keep && candidate.Counted && (victim is null || candidate.LastUsed < victim.LastUsed)) victim = candidate;
            if (victim is null) return; // only the scorer just leased is left: one model may exceed the budget alone.
            _logger.LogInformation("Model {ModelId}: version {Version} evicted from the scorer cache ({Bytes} bytes; budget {Budget}).", victim.ModelId, victim.Version, victim.Bytes, _options.ScorerCacheBytes);
            RetireLocked(victim);
        }
    }

    // Out of the cache at once; disposed now if idle, else when its last lease ends.
    private void RetireLocked(Entry entry)
    {
        if (entry.Retired) return;
        if (_entries.TryGetValue(entry.ModelId, out var mapped) && mapped == entry) _entries.Remove(entry.ModelId);
        entry.Retired = true;
        if (entry.Counted) _cachedBytes -= entry.Bytes;
        if (entry.Leases == 0) DisposeLocked(entry);
    }

    private void DisposeLocked(Entry entry)
    {
        if (entry.Disposed) return;
        entry.Disposed = true;
        if (entry.Counted)
        {
            _residentBytes -= entry.Bytes;
            ResidentCount--;
        }
        if (entry.Load.IsValueCreated && entry.Load.Value.IsCompletedSuccessfully)
            entry.Load.Value.Result.Scorer.Dispose();
    }

    private async Task<LoadedModel> LoadAsync(ModelRecord record, int version)
    {
        // Not tied to one caller's token: other requests may be waiting on the same load.
        var files = await _fingerprints.ReadAsync(record.ModelId, version, CancellationToken.None).ConfigureAwait(false);
        if (files.Count == 0)
            throw new FingerprintUnreadableException(record.ModelId, version, $"its folder fingerprints/{IFingerprintStore.Prefix(record.ModelId, version)} is empty or missing");
        Fingerprint fingerprint;
        try
        {
            fingerprint = Fingerprint.FromFiles(files);
        }
        catch (InvalidDataException e)
        {
            throw new FingerprintUnreadableException(record.ModelId, version, e.Message);
        }
        // The scorer's default options: the process's shared intra-op pool, threads that sleep rather than spin.
        // Small batches on a second, single-threaded session (made on the first small batch).
        var inline = new InlineSmallBatches { MaxRecords = _options.InlineBatchRecords };
        var scorer = new FingerprintScorer(fingerprint, inlineSmallBatches: inline);
        _logger.LogInformation("Model {ModelId}: loaded fingerprint version {Version}.", record.ModelId, version);
        // The session holds the graph and its weights once more beside the files' bytes that the fingerprint keeps; the
        // inline session, when it may be made, once more again.
        return new LoadedModel(record, version, scorer) { EstimatedBytes = 2 * files.Values.Sum(f => (long)f.Length) + inline.ExtraBytes(fingerprint.ScorerOnnx.LongLength) };
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var entry in _entries.Values.ToArray()) RetireLocked(entry);
        }
    }

    internal sealed class Entry(string modelId, int version, Lazy<Task<LoadedModel>> load)
    {
        public string ModelId { get; } = modelId;
        public int Version { get; } = version;
        public Lazy<Task<LoadedModel>> Load { get; } = load;
        public int Leases { get; set; }
        public long LastUsed { get; set; }
        public long Bytes { get; set; }
        public bool Counted { get; set; }
        public bool Retired { get; set; }
        public bool Disposed { get; set; }
    }
}
