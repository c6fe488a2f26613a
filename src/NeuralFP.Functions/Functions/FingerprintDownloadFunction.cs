using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using NeuralFP.Application.Edge;
using NeuralFP.Application.Telemetry;
using NeuralFP.Core.Artifacts;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Functions;

/// <summary>
/// <c>GET /api/models/{modelId}/fingerprint</c>: the current fingerprint version as one zip archive for an edge gateway
/// (<see cref="FingerprintArchive"/>), streamed from blob storage, with a strong <c>ETag</c> (<c>If-None-Match</c> → 304),
/// the version and the model's SHA-256 in headers, the same hash inside the archive's <c>artifact.json</c>.
/// </summary>
public sealed class FingerprintDownloadFunction(FingerprintDownloads downloads)
{
    public const string ModelSha256Header = "X-NeuralFP-Model-Sha256";
    public const string ModelVersionHeader = "X-NeuralFP-Model-Version";

    [Function(FunctionNames.FingerprintDownload)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.FingerprintDownload)] HttpRequest request, string modelId, CancellationToken cancellationToken)
    {
        var download = await downloads.PrepareAsync(modelId, cancellationToken).ConfigureAwait(false);
        TelemetryTags.Enrich(Activity.Current, modelId, download.Manifest.Version);
        var headers = request.HttpContext.Response.Headers;
        headers[ModelSha256Header] = download.Manifest.ModelSha256;
        headers[ModelVersionHeader] = download.Manifest.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Gateways should revalidate (a cheap 304) rather than trust a cached copy: a new version may be current.
        headers.CacheControl = "no-cache";
        // Results.Stream answers If-None-Match with 304 itself (RFC 9110 weak comparison, as the standard asks).
        return Results.Stream(body => downloads.WriteAsync(download, body, cancellationToken), FingerprintArchive.MediaType,
            download.FileName, entityTag: EntityTagHeaderValue.Parse(download.ETag));
    }
}
