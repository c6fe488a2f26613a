using Microsoft.Extensions.Configuration;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Configuration;

using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.LocalHost;

/// <summary>The local host's own knobs (the Functions host has its own equivalents in Azure).</summary>
public sealed record LocalHostSettings
{
    /// <summary>How often blob containers are listed, and the longest wait between polls of an empty queue.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap on the back-off before a failed message is visible again (host.json's visibilityTimeout doubles per attempt up to this).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public static LocalHostSettings FromConfiguration(IConfiguration configuration)
    {
        var defaults = new LocalHostSettings();
        var settings = new LocalHostSettings
        {
            PollInterval = TimeSpan.FromMilliseconds(SettingsReader.GetInt64(configuration, SettingNames.LocalHostPollMilliseconds, (long)defaults.PollInterval.TotalMilliseconds)),
            MaxBackoff = TimeSpan.FromMilliseconds(SettingsReader.GetInt64(configuration, SettingNames.LocalHostMaxBackoffMilliseconds, (long)defaults.MaxBackoff.TotalMilliseconds)),
        };
        if (settings.PollInterval < TimeSpan.FromMilliseconds(10))
            throw new ArgumentOutOfRangeException(nameof(PollInterval), settings.PollInterval, $"{SettingNames.LocalHostPollMilliseconds} must be at least 10.");
        if (settings.MaxBackoff < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MaxBackoff), settings.MaxBackoff, $"{SettingNames.LocalHostMaxBackoffMilliseconds} cannot be negative.");
        return settings;
    }

    /// <summary>Where host.json and the function folders are: <c>AzureWebJobsScriptRoot</c>, else the app's own folder.</summary>
    public static string ScriptRoot(IConfiguration configuration)
        => SettingsReader.GetString(configuration, SettingNames.ScriptRoot) ?? AppContext.BaseDirectory;
}
