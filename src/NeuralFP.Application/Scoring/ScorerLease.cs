namespace NeuralFP.Application.Scoring;

/// <summary>
/// A hold on a loaded scorer: while any lease on it is open, <see cref="ScorerCache"/> does not dispose it, even if it
/// is evicted or replaced by a newer version. Dispose the lease when scoring is done (a <c>using</c> around the request).
/// </summary>
public sealed class ScorerLease : IDisposable
{
    private readonly ScorerCache _cache;
    private readonly ScorerCache.Entry _entry;
    private int _released;

    internal ScorerLease(ScorerCache cache, ScorerCache.Entry entry, LoadedModel model)
    {
        _cache = cache;
        _entry = entry;
        Model = model;
    }

    public LoadedModel Model { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _cache.Release(_entry);
    }
}
