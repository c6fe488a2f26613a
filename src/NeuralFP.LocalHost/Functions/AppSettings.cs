using System.Text.RegularExpressions;

namespace NeuralFP.LocalHost.Functions;

/// <summary>
/// The app settings as the Functions host sees them: the worker settings first, then the environment. Resolves
/// <c>%Name%</c> binding expressions and connection names the way the host does.
/// </summary>
internal sealed partial class AppSettings(IReadOnlyDictionary<string, string?> settings, string storageConnectionString)
{
    public const string StorageSetting = "AzureWebJobsStorage";

    public string StorageConnectionString { get; } = storageConnectionString;

    public string? this[string name] => Lookup(name) ?? Lookup(name.Replace(":", "__")) ?? Lookup(name.Replace("__", ":"));

    /// <summary>Replaces every <c>%Name%</c> with its setting; throws naming the missing setting.</summary>
    public string Resolve(string expression) => Expression().Replace(expression, match =>
        this[match.Groups[1].Value] ?? throw new InvalidOperationException(
            $"The binding expression '{expression}' names app setting '{match.Groups[1].Value}', which is not set."));

    /// <summary>The connection string a binding's <c>connection</c> names (empty: AzureWebJobsStorage).</summary>
    public string ConnectionString(string? connectionName)
    {
        if (string.IsNullOrEmpty(connectionName) || connectionName == StorageSetting) return StorageConnectionString;
        return this[connectionName] ?? this["AzureWebJobs" + connectionName]
            ?? throw new InvalidOperationException($"The connection '{connectionName}' is not an app setting (identity-based connections are not supported by the local host).");
    }

    private string? Lookup(string name) =>
        settings.TryGetValue(name, out var value) && value is not null ? value : Environment.GetEnvironmentVariable(name);

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex Expression();
}
