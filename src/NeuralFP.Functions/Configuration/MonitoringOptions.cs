using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Configuration;

/// <summary>How often the app reads its queues' depth and age for the queue gauges. Validated at start-up.</summary>
public sealed record MonitoringOptions
{
    /// <summary>0 turns the polling off (the gauges then report nothing).</summary>
    public TimeSpan QueueMetricsInterval { get; set; } = TimeSpan.FromSeconds(30);

    public void Validate()
    {
        if (QueueMetricsInterval < TimeSpan.Zero || QueueMetricsInterval > TimeSpan.FromHours(1))
            throw new ArgumentOutOfRangeException(nameof(QueueMetricsInterval), QueueMetricsInterval, $"{SettingNames.QueueMetricsSeconds} must be between 0 (off) and 3600.");
    }
}
