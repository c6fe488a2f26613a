namespace NeuralFP.Application.Errors;

/// <summary>An input exceeds a configured limit; the message names the limit and the setting that raises it.</summary>
public sealed class InputTooLargeException(string what, long actual, long limit, string settingName)
    : Exception($"{what} is too large: {actual:N0} exceeds the limit of {limit:N0} (setting {settingName}).")
{
    public string What { get; } = what;
    public long Actual { get; } = actual;
    public long Limit { get; } = limit;
    public string SettingName { get; } = settingName;
}
