using NeuralFP.Application.Configuration;
using NeuralFP.Core.Monitoring;

namespace NeuralFP.Application.Drift;

/// <summary>
/// How each model's drift window is kept and tested (the expected OOD rate comes from each fingerprint's
/// calibration, not from here). Validate before use.
/// </summary>
public sealed record DriftAlarmOptions
{
    /// <summary>Largest window: the outcomes are stored one bit each in a table property (64 KiB at most).</summary>
    public const int MaxWindowSize = 100_000;

    public const string WindowSizeSetting = ServiceOptions.Section + "__DriftWindowSize";
    public const string AlphaSetting = ServiceOptions.Section + "__DriftAlpha";
    public const string MinimumRecordsSetting = ServiceOptions.Section + "__DriftMinimumRecords";
    public const string FlushIntervalSetting = ServiceOptions.Section + "__DriftFlushMilliseconds";
    public const string ShutdownFlushSetting = ServiceOptions.Section + "__DriftShutdownFlushMilliseconds";

    public int WindowSize { get; set; } = 500;

    /// <summary>Level of each test. It runs after every write, so keep it small (see <see cref="DriftOptions.Alpha"/>).</summary>
    public double Alpha { get; set; } = 0.001;

    public int MinimumRecords { get; set; } = 50;

    /// <summary>
    /// HTTP verdicts' outcomes are kept in memory and written this often, one conditional write per model version (0 = during
    /// each request). 1 s: a busy model costs one table write a second per instance instead of one per request, a crash
    /// (kill -9) loses at most a second of outcomes, and another instance's drift reads lag by about as much, far below the
    /// time a window of hundreds of verdicts takes to fill.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest the last flush may take when the instance stops: a scale-in waits for it, so it is bounded; what it cannot write is lost (and logged).</summary>
    public TimeSpan ShutdownFlushTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public void Validate()
    {
        if (WindowSize is < 1 or > MaxWindowSize)
            throw new ArgumentOutOfRangeException(nameof(WindowSize), WindowSize, $"{WindowSizeSetting} must be between 1 and {MaxWindowSize}.");
        if (!(Alpha > 0 && Alpha < 1))
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, $"{AlphaSetting} must lie strictly between 0 and 1 (e.g. 0.001).");
        if (MinimumRecords < 1 || MinimumRecords > WindowSize)
            throw new ArgumentOutOfRangeException(nameof(MinimumRecords), MinimumRecords, $"{MinimumRecordsSetting} must be between 1 and the window size ({WindowSize}).");
        if (FlushInterval < TimeSpan.Zero || FlushInterval > TimeSpan.FromMinutes(5))
            throw new ArgumentOutOfRangeException(nameof(FlushInterval), FlushInterval, $"{FlushIntervalSetting} must be between 0 and 300000.");
        if (ShutdownFlushTimeout < TimeSpan.FromMilliseconds(100) || ShutdownFlushTimeout > TimeSpan.FromMinutes(1))
            throw new ArgumentOutOfRangeException(nameof(ShutdownFlushTimeout), ShutdownFlushTimeout, $"{ShutdownFlushSetting} must be between 100 and 60000.");
    }

    /// <summary>The test for one fingerprint, whose calibrated false-positive rate is the OOD rate expected without drift.</summary>
    public DriftOptions For(double expectedOodRate) => new()
    {
        WindowSize = WindowSize,
        Alpha = Alpha,
        MinimumRecords = MinimumRecords,
        ExpectedOodRate = expectedOodRate,
    };
}
