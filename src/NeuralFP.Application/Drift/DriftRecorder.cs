using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace NeuralFP.Application.Drift;

/// <summary>
/// Collects the outcomes of HTTP verdicts for the drift windows. With a flush interval (the default) they are
/// buffered per model and version and written by <see cref="FlushAsync"/>, so that a busy model costs one table
/// write per interval rather than one per request; with 0 they are written during the request. Either way a
/// failed write never fails the request: verdicts are the product, monitoring follows them.
/// </summary>
public sealed class DriftRecorder(DriftTracker tracker, ILogger<DriftRecorder>? logger = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private readonly ConcurrentDictionary<(string ModelId, int Version), Pending> _pending = new();
    private readonly ConcurrentDictionary<(string ModelId, int Version), GroupWriter> _writers = new();

    public bool Buffered => tracker.Options.FlushInterval > TimeSpan.Zero;

    public Task RecordAsync(string modelId, int version, double expectedRate, bool[] outcomes, CancellationToken cancellationToken)
        => RecordAsync(modelId, version, expectedRate, new VerdictOutcomes(outcomes, null), cancellationToken);

    /// <param name="outcomes">Each verdict's outcome and the batch's per-layer fire counts (null: not recorded).</param>
    public async Task RecordAsync(string modelId, int version, double expectedRate, VerdictOutcomes outcomes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(outcomes.Outcomes);
        if (outcomes.Outcomes.Length == 0) return;
        if (!Buffered)
        {
            await _writers.GetOrAdd((modelId, version), _ => new GroupWriter(this, modelId, version, expectedRate))
                .WriteAsync(outcomes, cancellationToken).ConfigureAwait(false);
            return;
        }
        var pending = _pending.GetOrAdd((modelId, version), _ => new Pending(expectedRate));
        lock (pending) pending.Add(outcomes.Outcomes, outcomes.LayerFires, tracker.Options.WindowSize);
    }

    /// <summary>Writes everything buffered so far; outcomes whose write fails stay buffered for the next flush.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var ((modelId, version), pending) in _pending)
        {
            DriftBatch batch;
            lock (pending) batch = pending.Take(modelId, version);
            // Empty entries stay (one per model version): removing one could orphan outcomes added meanwhile.
            if (batch.Outcomes.Length == 0 && batch.EarlierRecords == 0) continue;
            if (!await WriteAsync(batch, cancellationToken).ConfigureAwait(false))
                lock (pending) pending.PutBack(batch, tracker.Options.WindowSize);
        }
    }

    private async Task<bool> WriteAsync(DriftBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            await tracker.RecordAsync(batch, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning(e, "Model {ModelId}: {Count} verdict outcomes could not be added to the drift window yet.", batch.ModelId, batch.Outcomes.Length);
            return false;
        }
    }

    /// <summary>
    /// Unbuffered writes of one model version, one at a time (group commit): a request's outcomes are written before it
    /// returns, as before, but requests that arrive while a write is under way join the next write instead of each
    /// reading and replacing the same drift row, which made concurrent requests collide on its ETag and retry.
    /// </summary>
    private sealed class GroupWriter(DriftRecorder recorder, string modelId, int version, double expectedRate)
    {
        private readonly Lock _gate = new();
        private List<(VerdictOutcomes Outcomes, TaskCompletionSource Done)> _waiting = [];
        private bool _writing;

        public Task WriteAsync(VerdictOutcomes outcomes, CancellationToken cancellationToken)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            bool lead;
            lock (_gate)
            {
                _waiting.Add((outcomes, done));
                lead = !_writing;
                _writing = true;
            }
            if (lead) _ = Task.Run(DrainAsync, CancellationToken.None);
            return done.Task.WaitAsync(cancellationToken);
        }

        /// <summary>Writes what is waiting until nothing is; a failed write is logged and never fails its requests.</summary>
        private async Task DrainAsync()
        {
            while (true)
            {
                List<(VerdictOutcomes Outcomes, TaskCompletionSource Done)> group;
                lock (_gate)
                {
                    if (_waiting.Count == 0)
                    {
                        _writing = false;
                        return;
                    }
                    group = _waiting;
                    _waiting = [];
                }
                long[]? fires = null;
                var all = new List<bool>();
                foreach (var (outcomes, _) in group)
                {
                    all.AddRange(outcomes.Outcomes);
                    fires = group.Count == 1 ? outcomes.LayerFires : VerdictOutcomes.Add(fires, outcomes.LayerFires);
                }
                try
                {
                    // Not a request's token: the write carries other requests' outcomes too.
                    await recorder.WriteAsync(new DriftBatch(modelId, version, expectedRate, [.. all], LayerFires: fires), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // WriteAsync logs and absorbs storage failures; anything else must not stop this loop either.
                    recorder._logger.LogWarning(e, "Model {ModelId}: {Count} verdict outcomes could not be added to the drift window.", modelId, all.Count);
                }
                finally
                {
                    foreach (var (_, done) in group) done.TrySetResult();
                }
            }
        }
    }

    /// <summary>
    /// Outcomes waiting for one model version. Only the newest window's worth can matter to the test, so older ones are
    /// dropped from the list, but they are still counted so that the totals and hourly buckets see every record.
    /// </summary>
    private sealed class Pending(double expectedRate)
    {
        private readonly List<bool> _outcomes = [];
        private long _droppedRecords;
        private long _droppedOod;
        private long[]? _layerFires;

        public double ExpectedRate { get; } = expectedRate;

        public void Add(bool[] outcomes, long[]? layerFires, int cap)
        {
            _outcomes.AddRange(outcomes);
            _layerFires = VerdictOutcomes.Add(_layerFires, layerFires);
            Trim(cap);
        }

        public void PutBack(DriftBatch batch, int cap)
        {
            _outcomes.InsertRange(0, batch.Outcomes);
            _droppedRecords += batch.EarlierRecords;
            _droppedOod += batch.EarlierOod;
            _layerFires = VerdictOutcomes.Add(batch.LayerFires, _layerFires);
            Trim(cap);
        }

        public DriftBatch Take(string modelId, int version)
        {
            var batch = new DriftBatch(modelId, version, ExpectedRate, [.. _outcomes], EarlierRecords: _droppedRecords, EarlierOod: _droppedOod, LayerFires: _layerFires);
            _outcomes.Clear();
            _layerFires = null;
            _droppedRecords = _droppedOod = 0;
            return batch;
        }

        private void Trim(int cap)
        {
            if (_outcomes.Count <= cap) return;
            var drop = _outcomes.Count - cap;
            _droppedRecords += drop;
            for (var i = 0; i < drop; i++) if (_outcomes[i]) _droppedOod++;
            _outcomes.RemoveRange(0, drop);
        }
    }
}
