using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Hosting;

using NeuralFP.Functions.Configuration;

namespace NeuralFP.Functions.Tests.Infrastructure;

/// <summary>Container, queue and table names no other test uses, so tests share one Azurite without meeting.</summary>
public sealed record StorageNames(string Prefix)
{
    public static StorageNames Unique() => new("t" + Guid.NewGuid().ToString("N")[..10]);

    public string Models => Prefix + "-models";
    public string Fingerprints => Prefix + "-fingerprints";
    public string Results => Prefix + "-results";
    public string Registry => Prefix + "models";
    public string ScoreRequests => Prefix + "-score-requests";
    public string ScoreResults => Prefix + "-score-results";
    public string Drift => Prefix + "drift";
    public string Alerts => Prefix + "-ood-alerts";
    public string ScoreRequestsPoison => ScoreRequests + StorageOptions.PoisonSuffix;

    public IEnumerable<KeyValuePair<string, string?>> Settings()
    {
        yield return Setting(SettingNames.ModelsContainer, Models);
        yield return Setting(SettingNames.FingerprintsContainer, Fingerprints);
        yield return Setting(SettingNames.ResultsContainer, Results);
        yield return Setting(SettingNames.RegistryTable, Registry);
        yield return Setting(SettingNames.ScoreRequestsQueue, ScoreRequests);
        yield return Setting(SettingNames.ScoreResultsQueue, ScoreResults);
        yield return Setting(SettingNames.DriftTable, Drift);
        yield return Setting(SettingNames.AlertsQueue, Alerts);
    }

    public static KeyValuePair<string, string?> Setting(string settingName, string? value) => new(SettingsReader.ToConfigurationKey(settingName), value);
}
