using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Serialization;
using NeuralFP.Contracts;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Monitoring;

namespace NeuralFP.Functions.Functions;

/// <summary>
/// <c>GET /api/health</c>: 200 when the registry table answers, 503 otherwise (the probe's answer is reused a few seconds, see
/// <see cref="StorageProbe"/>); <c>drift</c> says whether this instance's drift outcomes reach their table.
/// </summary>
public sealed class HealthFunction(StorageProbe storage, DriftRecorder drift)
{
    /// <summary>How the app runs: as a .NET isolated worker under a Functions host (Azure, Core Tools or the local host).</summary>
    public const string Mode = "isolated-worker";

    private static readonly string Version = typeof(HealthFunction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    [Function(FunctionNames.Health)]
    public async Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Health)] HttpRequest request, CancellationToken cancellationToken)
    {
        if (await storage.IsReachableAsync(cancellationToken).ConfigureAwait(false))
            return Results.Json(new HealthReport("healthy", "ok", Mode, Version, drift.Health.Summary), JsonDefaults.Options);
        // Anonymous endpoint: the exception (hosts, ports, SDK text) went to the log, not to the caller.
        return Results.Json(new HealthReport("unhealthy", "storage unreachable", Mode, Version, drift.Health.Summary), JsonDefaults.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
