using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Configuration;

using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.LocalHost;

/// <summary>
/// Resolves <c>%SettingName%</c> in binding properties, as the Functions host does from app settings. The
/// app's storage names have defaults, so the effective values stand in for settings that are not set.
/// </summary>
public sealed partial class BindingExpressions(IConfiguration configuration, StorageOptions storage)
{
    public string Resolve(string value) => Setting().Replace(value, match =>
    {
        var name = match.Groups[1].Value;
        return SettingsReader.GetString(configuration, name) ?? Default(name)
            ?? throw new InvalidOperationException($"Binding expression %{name}% names a setting that is not set.");
    });

    private string? Default(string name) => name switch
    {
        SettingNames.ModelsContainer => storage.ModelsContainer,
        SettingNames.FingerprintsContainer => storage.FingerprintsContainer,
        SettingNames.ResultsContainer => storage.ResultsContainer,
        SettingNames.ScoreRequestsQueue => storage.ScoreRequestsQueue,
        SettingNames.ScoreResultsQueue => storage.ScoreResultsQueue,
        SettingNames.AlertsQueue => storage.AlertsQueue,
        _ => null,
    };

    [GeneratedRegex("%([A-Za-z0-9_:.-]+)%")]
    private static partial Regex Setting();
}
