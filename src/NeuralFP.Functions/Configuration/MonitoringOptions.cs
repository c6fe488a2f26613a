using NeuralFP.Storage.Configuration;

namespace NeuralFP.Functions.Configuration;

/// <summary>How often the app reads its queues' depth and age for the queue gauges. Validated at start-up.</summary>
public sealed record MonitoringOptions
{
    /// <summary>0 turns the polling off (the gauges then report nothing).</summary>
    public TimeSpan QueueMetricsInterval { get; init; } = TimeSpan.FromSeconds(30);

    public void Validate()
    {
        if (QueueMetricsInterval < TimeSpan.Zero || QueueMetricsInterval > TimeSpan.FromHours(1))
            throw new ArgumentOutOfRangeException(nameof(QueueMetricsInterval), QueueMetricsInterval, $"{SettingNames.QueueMetricsSeconds} must be between 0 (off) and 3600.");
    }

    public static MonitoringOptions FromConfiguration(IConfiguration configuration)
    {
        var options = new MonitoringOptions
        {
            QueueMetricsInterval = TimeSpan.FromSeconds(SettingsReader.GetInt64(configuration, SettingNames.QueueMetricsSeconds, (long)new MonitoringOptions().QueueMetricsInterval.TotalSeconds)),
        };
        options.Validate();
        return options;
    }
}
