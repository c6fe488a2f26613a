using NeuralFP.Functions.Endpoints.Contracts;
using NeuralFP.Functions.Http;
using NeuralFP.Functions.Telemetry;

namespace NeuralFP.Functions.Hosting;

internal static class FunctionEndpoints
{
    /// <summary>What every function endpoint gets, in this order: the key check, then its invocation span.</summary>
    public static RouteHandlerBuilder AsFunction(this RouteHandlerBuilder endpoint, string functionName, string trigger) =>
        endpoint.AddEndpointFilter<FunctionKeyFilter>().AddEndpointFilter(new FunctionTelemetryFilter(functionName, trigger));

    /// <summary>Declares problem+json answers for the given status codes (OpenAPI only).</summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder endpoint, params int[] statusCodes)
    {
        foreach (var status in statusCodes) endpoint.ProducesProblem(status);
        return endpoint;
    }

    /// <summary>A records body (JSON or .npy), with the problems only a body can cause: too large, wrong content type.</summary>
    public static RouteHandlerBuilder AcceptsRecords(this RouteHandlerBuilder endpoint) =>
        endpoint.Accepts<RecordsRequest>("application/json", RecordsBodyReader.NpyContentType)
            .ProducesProblems(StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
}
