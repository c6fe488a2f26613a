using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace NeuralFP.Functions.Configuration;

/// <summary>
/// Reads settings by their <see cref="SettingNames"/> spelling (environment-variable style, <c>__</c>
/// separators) from <see cref="IConfiguration"/>, which uses <c>:</c>.
/// </summary>
public static class SettingsReader
{
    public static string ToConfigurationKey(string settingName) => settingName.Replace("__", ":", StringComparison.Ordinal);

    public static string? GetString(IConfiguration configuration, string settingName)
    {
        var value = configuration[ToConfigurationKey(settingName)];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public static string GetString(IConfiguration configuration, string settingName, string fallback)
        => GetString(configuration, settingName) ?? fallback;

    public static long GetInt64(IConfiguration configuration, string settingName, long fallback)
    {
        var value = GetString(configuration, settingName);
        if (value is null) return fallback;
        return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw new InvalidOperationException($"Setting {settingName} must be an integer; got '{value}'.");
    }

    public static int GetInt32(IConfiguration configuration, string settingName, int fallback)
    {
        var value = GetInt64(configuration, settingName, fallback);
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new InvalidOperationException($"Setting {settingName} is out of range: {value}.");
    }

    public static double GetDouble(IConfiguration configuration, string settingName, double fallback)
    {
        var value = GetString(configuration, settingName);
        if (value is null) return fallback;
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed)
            ? parsed
            : throw new InvalidOperationException($"Setting {settingName} must be a number (invariant culture, e.g. 0.001); got '{value}'.");
    }

    public static bool GetBoolean(IConfiguration configuration, string settingName, bool fallback)
    {
        var value = GetString(configuration, settingName);
        if (value is null) return fallback;
        return bool.TryParse(value, out var parsed)
            ? parsed
            : throw new InvalidOperationException($"Setting {settingName} must be true or false; got '{value}'.");
    }
}
