using System.Diagnostics;

namespace NeuralFP.Application.Telemetry;

/// <summary>Attribute names on the service's spans, metrics and log scopes (OpenTelemetry semantic conventions where one exists).</summary>
public static class TelemetryTags
{
    public const string FunctionName = "faas.name";
    public const string InvocationId = "faas.invocation_id";
    public const string Trigger = "faas.trigger";
    public const string ModelId = "neuralfp.model.id";
    public const string ModelVersion = "neuralfp.model.version";
    public const string BatchId = "neuralfp.batch.id";
    public const string Layer = "neuralfp.layer";
    public const string Detector = "neuralfp.detector";
    public const string Source = "neuralfp.source";
    public const string Queue = "messaging.destination.name";
    public const string Outcome = "neuralfp.outcome";
    public const string Problem = "neuralfp.problem.type";

    /// <summary>Puts the model (and batch) on the invocation's span once the handler knows them; null values are left out.</summary>
    public static void Enrich(Activity? activity, string? modelId, int? version = null, string? batchId = null)
    {
        if (activity is null || activity.Source.Name != ServiceTelemetry.Name) return;
        if (modelId is not null) activity.SetTag(ModelId, modelId);
        if (version is not null) activity.SetTag(ModelVersion, version.Value);
        if (batchId is not null) activity.SetTag(BatchId, batchId);
    }

    /// <summary>Log scope state carrying the model, version and batch (structured: each is its own property).</summary>
    public static IReadOnlyDictionary<string, object?> Scope(string? modelId, int? version = null, string? batchId = null)
    {
        var scope = new Dictionary<string, object?>(3, StringComparer.Ordinal);
        if (modelId is not null) scope["ModelId"] = modelId;
        if (version is not null) scope["ModelVersion"] = version.Value;
        if (batchId is not null) scope["BatchId"] = batchId;
        return scope;
    }
}
