namespace NeuralFP.Core.Monitoring;

/// <summary>
/// Watches one model's stream of verdicts: keeps the rolling window and re-tests it after each
/// verdict. Not thread-safe; one instance per model and writer.
/// </summary>
public sealed class DriftMonitor
{
    private readonly DriftOptions _options;
    private readonly VerdictWindow _window;

    public DriftMonitor(DriftOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _window = new VerdictWindow(options.WindowSize);
        Current = DriftState.Evaluate(0, 0, options);
    }

    /// <summary>Resumes from a persisted window (outcomes oldest first; only the newest WindowSize are kept).</summary>
    public DriftMonitor(DriftOptions options, ReadOnlySpan<bool> history)
        : this(options)
    {
        _window.Add(history);
        Current = DriftState.Evaluate(_window.Count, _window.OodCount, _options);
    }

    public DriftOptions Options => _options;

    /// <summary>The state after the latest verdict.</summary>
    public DriftState Current { get; private set; }

    /// <summary>The window's outcomes, oldest first.</summary>
    public bool[] Window => _window.ToArray();

    public DriftState Observe(bool isOod)
    {
        _window.Add(isOod);
        Current = DriftState.Evaluate(_window.Count, _window.OodCount, _options);
        return Current;
    }

    /// <summary>Adds a batch of verdicts and tests once, after the last.</summary>
    public DriftState Observe(ReadOnlySpan<bool> outcomes)
    {
        _window.Add(outcomes);
        Current = DriftState.Evaluate(_window.Count, _window.OodCount, _options);
        return Current;
    }
}
