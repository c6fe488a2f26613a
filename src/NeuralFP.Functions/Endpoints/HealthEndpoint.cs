using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using NeuralFP.Functions.Endpoints.Contracts;
using NeuralFP.Functions.Hosting;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Serialization;

namespace NeuralFP.Functions.Endpoints;

/// <summary><c>GET /api/health</c>: 200 when the registry table answers, 503 otherwise.</summary>
internal static class HealthEndpoint
{
    private static readonly string Version = typeof(HealthEndpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static async Task<IResult> HandleAsync([FromServices] IModelRegistry registry, [FromServices] AppMode mode, [FromServices] ILogger<HealthReport> logger, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await registry.PingAsync(timeout.Token).ConfigureAwait(false);
            return Results.Json(new HealthReport("healthy", "ok", mode.Name, Version), JsonDefaults.Options);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Health check: storage unreachable.");
            // Anonymous endpoint: the exception (hosts, ports, SDK text) goes to the log, not to the caller.
            return Results.Json(new HealthReport("unhealthy", "storage unreachable", mode.Name, Version), JsonDefaults.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
