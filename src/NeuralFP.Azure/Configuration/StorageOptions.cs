using System.Text.RegularExpressions;

namespace NeuralFP.Azure.Configuration;

/// <summary>Where the service keeps its state: containers, tables and queues of its storage account. Validated at start-up.</summary>
public sealed partial record StorageOptions
{
    public const string PoisonSuffix = "-poison";

    public string ModelsContainer { get; set; } = "models";
    public string FingerprintsContainer { get; set; } = "fingerprints";
    public string ResultsContainer { get; set; } = "results";
    public string RegistryTable { get; set; } = "models";
    public string ScoreRequestsQueue { get; set; } = "score-requests";
    public string ScoreResultsQueue { get; set; } = "score-results";

    /// <summary>Table of each model's rolling window of verdict outcomes (drift alarms).</summary>
    public string DriftTable { get; set; } = "drift";

    /// <summary>Queue the app puts drift alarms on.</summary>
    public string AlertsQueue { get; set; } = "ood-alerts";

    /// <summary>Poison queue of <see cref="ScoreRequestsQueue"/>, named as the Functions host names it.</summary>
    public string ScoreRequestsPoisonQueue => ScoreRequestsQueue + PoisonSuffix;

    public void Validate()
    {
        ValidateContainer(ModelsContainer, nameof(ModelsContainer));
        ValidateContainer(FingerprintsContainer, nameof(FingerprintsContainer));
        ValidateContainer(ResultsContainer, nameof(ResultsContainer));
        ValidateQueue(ScoreRequestsQueue, nameof(ScoreRequestsQueue));
        ValidateQueue(ScoreResultsQueue, nameof(ScoreResultsQueue));
        ValidateQueue(AlertsQueue, nameof(AlertsQueue));
        ValidateQueue(ScoreRequestsPoisonQueue, nameof(ScoreRequestsQueue) + " (with its poison suffix)");
        if (!TableName().IsMatch(RegistryTable))
            throw new ArgumentException($"Registry table name '{RegistryTable}' is not a valid Azure table name (3–63 letters or digits, starting with a letter).", nameof(RegistryTable));
        if (!TableName().IsMatch(DriftTable))
            throw new ArgumentException($"Drift table name '{DriftTable}' is not a valid Azure table name (3–63 letters or digits, starting with a letter).", nameof(DriftTable));
        if (string.Equals(DriftTable, RegistryTable, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("The registry and drift tables must be two different tables.", nameof(DriftTable));
        if (new[] { ModelsContainer, FingerprintsContainer, ResultsContainer }.Distinct(StringComparer.Ordinal).Count() != 3)
            throw new ArgumentException("The models, fingerprints and results containers must be three different containers.");
        if (new[] { ScoreRequestsQueue, ScoreResultsQueue, ScoreRequestsPoisonQueue, AlertsQueue }.Distinct(StringComparer.Ordinal).Count() != 4)
            throw new ArgumentException("The score-requests, score-results and alerts queues (and the score-requests poison queue) must all differ.");
    }

    private static void ValidateContainer(string name, string setting)
    {
        if (name is null || !ContainerOrQueueName().IsMatch(name) || name.Contains("--", StringComparison.Ordinal))
            throw new ArgumentException($"'{name}' is not a valid blob container name for {setting} (3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit).", setting);
    }

    private static void ValidateQueue(string name, string setting)
    {
        if (name is null || !ContainerOrQueueName().IsMatch(name) || name.Contains("--", StringComparison.Ordinal))
            throw new ArgumentException($"'{name}' is not a valid queue name for {setting} (3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit).", setting);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerOrQueueName();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();
}
