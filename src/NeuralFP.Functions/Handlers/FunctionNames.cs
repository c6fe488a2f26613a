namespace NeuralFP.Functions.Handlers;

/// <summary>Function names (folder names next to host.json) and the binding names their function.json files declare.</summary>
public static class FunctionNames
{
    public const string FingerprintModel = "FingerprintModel";
    public const string ScoreBatch = "ScoreBatch";
    public const string Verdicts = "Verdicts";
    public const string Match = "Match";
    public const string Models = "Models";
    public const string Drift = "Drift";
    public const string Report = "Report";
    public const string Health = "Health";

    /// <summary>Only in the <c>service-bus</c> variant: forwards drift alarms from the alerts queue to the alerts topic.</summary>
    public const string PublishAlerts = "PublishAlerts";
    public const string OpenApi = "OpenApi";

    /// <summary>FingerprintModel's blob trigger binding; its path placeholders are <see cref="ModelIdPlaceholder"/> and <see cref="FileNamePlaceholder"/>.</summary>
    public const string BlobBinding = "blob";
    public const string ModelIdPlaceholder = "modelId";
    public const string FileNamePlaceholder = "name";

    /// <summary>ScoreBatch's trigger binding (the request message) and its queue output binding (the summary).</summary>
    public const string RequestBinding = "request";
    public const string SummaryBinding = "summary";

    /// <summary>PublishAlerts' trigger binding (the alert message) and its Service Bus output binding.</summary>
    public const string AlertBinding = "alert";
    public const string TopicBinding = "topicMessage";
}
