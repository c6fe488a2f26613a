namespace NeuralFP.Functions.Hosting;

/// <summary>Function names (as indexed into functions.metadata) and the routes of the HTTP functions (under host.json's <c>api</c> prefix).</summary>
public static class FunctionNames
{
    public const string FingerprintModel = "FingerprintModel";
    public const string ScoreBatch = "ScoreBatch";
    public const string QueueGauges = "QueueGauges";
    public const string SweepFingerprints = "SweepFingerprints";
    public const string Verdicts = "Verdicts";
    public const string Match = "Match";
    public const string Models = "Models";
    public const string Model = "Model";
    public const string Drift = "Drift";
    public const string Report = "Report";
    public const string FingerprintDownload = "FingerprintDownload";
    public const string Health = "Health";
    public const string OpenApi = "OpenApi";
    public const string NotFound = "NotFound";

    // Trigger attributes name settings in binding expressions, which the host resolves from its configuration,
    // where the NeuralFP__X environment variables (SettingNames) appear as NeuralFP:X.

    /// <summary>The blob trigger's path: every blob of the models container (the name is <c>{modelId}/{file}</c>).</summary>
    public const string ModelsPath = "%NeuralFP:ModelsContainer%/{name}";
    public const string ScoreRequestsQueue = "%NeuralFP:ScoreRequestsQueue%";
    public const string ScoreResultsQueue = "%NeuralFP:ScoreResultsQueue%";

    /// <summary>Every five minutes: a scale-to-zero app must not be woken more often just for gauges.</summary>
    public const string QueueGaugesSchedule = "0 */5 * * * *";

    /// <summary>
    /// The fingerprint sweep's NCRONTAB schedule, from <see cref="SettingNames.SweepSchedule"/> (every 30 s in the
    /// templates and run-local). No run on start-up: the host would fire it on every scale-out and cold start, and a
    /// cut-off build is only taken over after its lease expires, which the next tick sees anyway.
    /// </summary>
    public const string SweepSchedule = "%NeuralFP:SweepSchedule%";
}

/// <summary>Routes of the HTTP functions, relative to the route prefix (<c>api</c>); the OpenAPI description uses the same constants.</summary>
public static class Routes
{
    public const string Prefix = "api";
    public const string Verdicts = "models/{modelId}/verdicts";
    public const string Match = "match";
    public const string Models = "models";
    public const string Model = "models/{modelId}";
    public const string Drift = "models/{modelId}/drift";
    public const string Report = "models/{modelId}/report";
    public const string FingerprintDownload = "models/{modelId}/fingerprint";
    public const string Health = "health";
    public const string OpenApi = "openapi.json";
    public const string Anything = "{*path}";
}
