using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Serialization;
using NeuralFP.Contracts;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Functions;

/// <summary><c>GET /api/health</c>: 200 when the registry table answers, 503 otherwise.</summary>
public sealed class HealthFunction(IModelRegistry registry, ILogger<HealthFunction> logger)
{
    /// <summary>How the app runs: as a .NET isolated worker under a Functions host (Azure, Core Tools or the local host).</summary>
    public const string Mode = "isolated-worker";

    private static readonly string Version = typeof(HealthFunction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    [Function(FunctionNames.Health)]
    public async Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Health)] HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await registry.PingAsync(cancellationToken).ConfigureAwait(false);
            return Results.Json(new HealthReport("healthy", "ok", Mode, Version), JsonDefaults.Options);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Health check: storage unreachable.");
            // Anonymous endpoint: the exception (hosts, ports, SDK text) goes to the log, not to the caller.
            return Results.Json(new HealthReport("unhealthy", "storage unreachable", Mode, Version), JsonDefaults.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
