using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Http;

/// <summary>Turns the exceptions that mean "bad request" into RFC 9457 problem+json responses; anything else is a 500.</summary>
internal static class ProblemMapper
{
    private const string TypeBase = "https://neuralfp.dev/problems/";

    public static IResult ToProblem(Exception exception) => exception switch
    {
        UnsupportedContentTypeException => Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported content type", exception.Message),
        InputTooLargeException tooLarge => Problem(StatusCodes.Status413PayloadTooLarge, "too-large", "Request too large", exception.Message,
            new Dictionary<string, object?> { ["limit"] = tooLarge.Limit, ["actual"] = tooLarge.Actual, ["setting"] = tooLarge.SettingName }),
        ModelNotFoundException notFound => Problem(StatusCodes.Status404NotFound, "unknown-model", "Unknown model", exception.Message,
            new Dictionary<string, object?> { ["modelId"] = notFound.ModelId }),
        ModelNotReadyException notReady => Problem(StatusCodes.Status409Conflict, "model-not-ready", "Model not ready", exception.Message,
            new Dictionary<string, object?> { ["modelId"] = notReady.ModelId, ["modelStatus"] = notReady.Status.ToString().ToLowerInvariant(), ["reason"] = notReady.Reason }),
        FingerprintUnreadableException unreadable => Problem(StatusCodes.Status409Conflict, "fingerprint-unreadable", "Fingerprint needs a rebuild", exception.Message,
            new Dictionary<string, object?> { ["modelId"] = unreadable.ModelId, ["version"] = unreadable.Version }),
        UnknownDetectorException unknown => Problem(StatusCodes.Status400BadRequest, "unknown-detector", "Unknown detector", exception.Message,
            new Dictionary<string, object?> { ["detector"] = unknown.Detector, ["available"] = unknown.Available }),
        NoReadyModelException => Problem(StatusCodes.Status409Conflict, "no-ready-model", "No model ready", exception.Message),
        FunctionKeyMissingException => Problem(StatusCodes.Status401Unauthorized, "function-key", "Function key required", exception.Message),
        InvalidRecordsException => Problem(StatusCodes.Status400BadRequest, "invalid-records", "Invalid records", exception.Message),
        NpyFormatException => Problem(StatusCodes.Status400BadRequest, "invalid-npy", "Malformed .npy body", exception.Message),
        OnnxModelException => Problem(StatusCodes.Status400BadRequest, "invalid-onnx", "Unusable ONNX model", exception.Message),
        InvalidModelIdException => Problem(StatusCodes.Status400BadRequest, "invalid-model-id", "Invalid model id", exception.Message),
        InvalidScoreRequestException => Problem(StatusCodes.Status400BadRequest, "invalid-score-request", "Invalid score request", exception.Message),
        BatchConflictException conflict => Problem(StatusCodes.Status409Conflict, "batch-conflict", "Batch id already used", exception.Message,
            new Dictionary<string, object?> { ["batchId"] = conflict.BatchId }),
        BadRequestException or JsonException => Problem(StatusCodes.Status400BadRequest, "malformed-request", "Malformed request", exception.Message),
        BadHttpRequestException bad => Problem(bad.StatusCode, "bad-request", "Bad request", exception.Message),
        _ when IsStorageRefusal(exception) => new RetryAfter(
            Problem(StatusCodes.Status503ServiceUnavailable, "storage-refused", "Storage refused the service",
                "The service's storage refused its request (access or configuration, not load); nothing was changed. The operator has been told what to fix; retry later."),
            RefusedRetryAfterSeconds),
        _ when IsStorageOutage(exception) => new RetryAfter(
            Problem(StatusCodes.Status503ServiceUnavailable, "storage-unavailable", "Storage unavailable", $"The service's storage is not answering; nothing was changed. Retry in {RetryAfterSeconds} s."),
            RetryAfterSeconds),
        _ => Problem(StatusCodes.Status500InternalServerError, "internal", "Internal error", "The request failed on the server; it has been logged. Retry later."),
    };

    /// <summary>What a 503 asks the client to wait before retrying: about one circuit-breaker break.</summary>
    public const int RetryAfterSeconds = 10;

    /// <summary>What a 503 for a refusal asks the client to wait: an operator has to act, so longer than for an outage.</summary>
    public const int RefusedRetryAfterSeconds = 60;

    /// <summary>
    /// Storage answered and refused the service itself (no right to read or write, a table that cannot be created): the
    /// client did nothing wrong and cannot fix it, so it is a 503 rather than a 500 "bug", with the remedy in the log only
    /// (it names the service's own settings).
    /// </summary>
    public static bool IsStorageRefusal(Exception exception) =>
        exception is StorageRejectedException { ContentRefused: false } or global::Azure.RequestFailedException { Status: 401 or 403 }
        || exception.InnerException is { } inner && IsStorageRefusal(inner);

    /// <summary>Storage failing after the adapters' own retries (network, timeouts, 5xx, open circuit): the client should come back, not report a bug.</summary>
    public static bool IsStorageOutage(Exception exception) =>
        NeuralFP.Azure.Resilience.StorageResilience.IsTransient(exception) || exception is Polly.CircuitBreaker.BrokenCircuitException
        || exception.InnerException is { } inner && IsStorageOutage(inner);

    /// <summary>A problem response with a <c>Retry-After</c> header.</summary>
    private sealed class RetryAfter(IResult problem, int seconds) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => (problem as IStatusCodeHttpResult)?.StatusCode;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return problem.ExecuteAsync(httpContext);
        }
    }

    public static bool IsClientError(Exception exception) => ToProblem(exception) is IStatusCodeHttpResult { StatusCode: < 500 };

    /// <summary>The problem a request caused itself (a 4xx: fixing the request fixes it), or null for a server-side fault.</summary>
    public static ProblemDetails? ClientProblem(Exception exception)
        => ToProblem(exception) is ProblemHttpResult { StatusCode: < 500 } problem ? problem.ProblemDetails : null;

    private static IResult Problem(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null)
        => Results.Problem(detail: detail, statusCode: status, title: title, type: TypeBase + type, extensions: extensions);
}
