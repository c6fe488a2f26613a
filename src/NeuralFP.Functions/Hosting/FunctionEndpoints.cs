using NeuralFP.Functions.Http;
using NeuralFP.Functions.Telemetry;

namespace NeuralFP.Functions.Hosting;

internal static class FunctionEndpoints
{
    /// <summary>What every function endpoint gets, in this order: the key check, then its invocation span.</summary>
    public static RouteHandlerBuilder AsFunction(this RouteHandlerBuilder endpoint, string functionName, string trigger) =>
        endpoint.AddEndpointFilter<FunctionKeyFilter>().AddEndpointFilter(new FunctionTelemetryFilter(functionName, trigger));
}
