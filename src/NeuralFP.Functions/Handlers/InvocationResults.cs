using System.Text.Json;
using NeuralFP.Functions.Invocations;
using NeuralFP.Application.Serialization;

namespace NeuralFP.Functions.Handlers;

/// <summary>Writes custom-handler replies. A non-2xx status tells the host the invocation failed, so it retries.</summary>
internal static class InvocationResults
{
    public static IResult Succeeded(IReadOnlyDictionary<string, object?> outputs, object? returnValue, params string[] logs)
        => Results.Json(new InvocationResponse(outputs, logs, returnValue), JsonDefaults.Options, statusCode: StatusCodes.Status200OK);

    public static IResult Failed(string reason)
        => Results.Json(new InvocationResponse(new Dictionary<string, object?>(), [reason], null), JsonDefaults.Options, statusCode: StatusCodes.Status500InternalServerError);

    public static string ToJson(object value) => JsonSerializer.Serialize(value, JsonDefaults.Options);
}
