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

    public int WindowSize { get; set; } = 500;

    /// <summary>Level of each test. It runs after every write, so keep it small (see <see cref="DriftOptions.Alpha"/>).</summary>
    public double Alpha { get; set; } = 0.001;

    public int MinimumRecords { get; set; } = 50;

    /// <summary>HTTP verdicts are buffered in memory and written this often (0 = during each request).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

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
