using NeuralFP.Contracts;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Client;

/// <summary>
/// Typed client of the NeuralFP HTTP API: verdicts (JSON or .npy records, optional explanations or another detector),
/// model match, models, drift, the report page, the fingerprint archive for edge gateways, health and the OpenAPI
/// document. Every method is async and cancellable; an error answer throws <see cref="NeuralFpRequestException"/>
/// carrying the problem details. Thread-safe; share one instance.
/// </summary>
public class NeuralFpClient : IDisposable
{
    public const string ModelSha256Header = "X-NeuralFP-Model-Sha256";
    public const string ModelVersionHeader = "X-NeuralFP-Model-Version";
    private const string FunctionKeyHeader = "x-functions-key";
    private const string NpyMediaType = "application/x-npy";

    internal static readonly JsonSerializerOptions Json = CreateJsonOptions();

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly NeuralFpClientOptions _options;

    /// <summary>For mocking.</summary>
    protected NeuralFpClient()
    {
        _http = null!;
        _options = new NeuralFpClientOptions();
    }

    /// <param name="endpoint">The app's base address, e.g. <c>https://my-app.azurewebsites.net</c> or <c>http://127.0.0.1:7071</c>.</param>
    public NeuralFpClient(Uri endpoint, NeuralFpClientOptions? options = null)
        : this(new HttpClient { BaseAddress = endpoint ?? throw new ArgumentNullException(nameof(endpoint)) }, options, ownsHttpClient: true)
    {
    }

    /// <param name="httpClient">A client whose <see cref="HttpClient.BaseAddress"/> is the app (e.g. from IHttpClientFactory); not disposed by this client.</param>
    public NeuralFpClient(HttpClient httpClient, NeuralFpClientOptions? options = null)
        : this(httpClient, options, ownsHttpClient: false)
    {
    }

    private NeuralFpClient(HttpClient httpClient, NeuralFpClientOptions? options, bool ownsHttpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is null) throw new ArgumentException("The HttpClient needs a BaseAddress (the app's address).", nameof(httpClient));
        _http = httpClient;
        _ownsHttp = ownsHttpClient;
        _options = options ?? new NeuralFpClientOptions();
        if (_ownsHttp) _http.Timeout = Timeout.InfiniteTimeSpan; // NetworkTimeout applies per call instead.
    }

    /// <summary>The app's base address.</summary>
    public Uri Endpoint => _http.BaseAddress!;

    /// <summary><c>POST /api/models/{modelId}/verdicts</c>: the fingerprint's verdict for each record (records shaped [N, ...input shape] or [N, features]).</summary>
    public virtual async Task<VerdictsResponse> GetVerdictsAsync(string modelId, FloatTensor records, VerdictsOptions? options = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (options?.Layers == true) query.Add("detail=layers");
        if (options?.Explain == true) query.Add("explain=true");
        if (options?.Top is int top) query.Add("top=" + top.ToString(CultureInfo.InvariantCulture));
        return await SendAsync<VerdictsResponse>(HttpMethod.Post, ModelPath(modelId, "verdicts", query), RecordsContent(records), cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /api/models/{modelId}/verdicts?detector=name</c>: the verdicts of a detector fitted beside the fingerprint.</summary>
    public virtual Task<DetectorVerdictsResponse> GetDetectorVerdictsAsync(string modelId, string detector, FloatTensor records, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(detector);
        return SendAsync<DetectorVerdictsResponse>(HttpMethod.Post, ModelPath(modelId, "verdicts", ["detector=" + Uri.EscapeDataString(detector)]), RecordsContent(records), cancellationToken);
    }

    /// <summary><c>POST /api/match</c>: every ready model whose input fits the records, ranked by how well the batch fits it.</summary>
    public virtual Task<MatchResponse> MatchAsync(FloatTensor records, CancellationToken cancellationToken = default)
        => SendAsync<MatchResponse>(HttpMethod.Post, "api/match", RecordsContent(records), cancellationToken);

    /// <summary><c>GET /api/models</c>.</summary>
    public virtual async Task<IReadOnlyList<ModelView>> GetModelsAsync(CancellationToken cancellationToken = default)
        => (await SendAsync<ModelList>(HttpMethod.Get, "api/models", null, cancellationToken).ConfigureAwait(false)).Models;

    /// <summary><c>GET /api/models/{modelId}</c>.</summary>
    public virtual Task<ModelView> GetModelAsync(string modelId, CancellationToken cancellationToken = default)
        => SendAsync<ModelView>(HttpMethod.Get, ModelPath(modelId, null, []), null, cancellationToken);

    /// <summary><c>GET /api/models/{modelId}/drift</c>.</summary>
    public virtual Task<DriftView> GetDriftAsync(string modelId, CancellationToken cancellationToken = default)
        => SendAsync<DriftView>(HttpMethod.Get, ModelPath(modelId, "drift", []), null, cancellationToken);

    /// <summary><c>GET /api/models/{modelId}/report</c>: the report page (HTML).</summary>
    public virtual Task<string> GetReportAsync(string modelId, CancellationToken cancellationToken = default)
        => SendForTextAsync(HttpMethod.Get, ModelPath(modelId, "report", []), null, cancellationToken);

    /// <summary><c>POST /api/models/{modelId}/report</c>: the report page with these records marked (HTML).</summary>
    public virtual Task<string> GetReportAsync(string modelId, FloatTensor records, string? label = null, CancellationToken cancellationToken = default)
        => SendForTextAsync(HttpMethod.Post, ModelPath(modelId, "report", label is null ? [] : ["label=" + Uri.EscapeDataString(label)]), RecordsContent(records), cancellationToken);

    /// <summary>
    /// <c>GET /api/models/{modelId}/fingerprint</c>: the current fingerprint as one zip archive (streamed), or, with the
    /// ETag of the archive the caller holds, <see cref="FingerprintDownload.NotModified"/> while it is still current.
    /// </summary>
    public virtual async Task<FingerprintDownload> DownloadFingerprintAsync(string modelId, string? ifNoneMatch = null, CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(HttpMethod.Get, ModelPath(modelId, "fingerprint", []), null);
        if (ifNoneMatch is not null) request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(ifNoneMatch));
        var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.StatusCode == HttpStatusCode.NotModified) return new FingerprintDownload(response, null);
            await ThrowIfErrorAsync(response, cancellationToken).ConfigureAwait(false);
            return new FingerprintDownload(response, await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary><c>GET /api/health</c>: the report whether healthy (200) or not (503).</summary>
    public virtual async Task<HealthReport> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(HttpMethod.Get, "api/health", null);
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.ServiceUnavailable) await ThrowIfErrorAsync(response, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync<HealthReport>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /api/openapi.json</c>: the OpenAPI 3.1 document.</summary>
    public virtual async Task<JsonDocument> GetOpenApiDocumentAsync(CancellationToken cancellationToken = default)
        => JsonDocument.Parse(await SendForTextAsync(HttpMethod.Get, "api/openapi.json", null, cancellationToken).ConfigureAwait(false));

    private static string ModelPath(string modelId, string? tail, IReadOnlyList<string> query)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        var path = "api/models/" + Uri.EscapeDataString(modelId) + (tail is null ? "" : "/" + tail);
        return query.Count == 0 ? path : path + "?" + string.Join('&', query);
    }

    private HttpContent RecordsContent(FloatTensor records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (_options.RecordsFormat == RecordsFormat.Npy)
        {
            var content = new ByteArrayContent(Npy.ToBytes(records));
            content.Headers.ContentType = new MediaTypeHeaderValue(NpyMediaType);
            return content;
        }
        var json = new StringBuilder("{\"records\":[");
        for (var r = 0; r < records.Records; r++)
        {
            json.Append(r == 0 ? "[" : ",[");
            var record = records.Record(r);
            for (var i = 0; i < record.Length; i++)
            {
                if (i > 0) json.Append(',');
                json.Append(record[i].ToString("R", CultureInfo.InvariantCulture));
            }
            json.Append(']');
        }
        return new StringContent(json.Append("]}").ToString(), Encoding.UTF8, "application/json");
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(method, path, content);
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await ThrowIfErrorAsync(response, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> SendForTextAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(method, path, content);
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await ThrowIfErrorAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    private HttpRequestMessage CreateRequest(HttpMethod method, string path, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (_options.FunctionKey is { Length: > 0 } key) request.Headers.Add(FunctionKeyHeader, key);
        return request;
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.NetworkTimeout);
        try
        {
            return await _http.SendAsync(request, completion, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{request.Method} {request.RequestUri} did not answer within {_options.NetworkTimeout.TotalSeconds:0.#} s (NeuralFpClientOptions.NetworkTimeout).", e);
        }
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonSerializer.DeserializeAsync<T>(stream, Json, cancellationToken).ConfigureAwait(false)
               ?? throw new NeuralFpRequestException(response.StatusCode, null, "Empty response", $"{response.RequestMessage?.RequestUri} answered with an empty body.");
    }

    private static async Task ThrowIfErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? type = null, title = null, detail = null;
        var extensions = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(body);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "type": type = property.Value.GetString(); break;
                    case "title": title = property.Value.GetString(); break;
                    case "detail": detail = property.Value.GetString(); break;
                    case "status": break;
                    default: extensions[property.Name] = property.Value.Clone(); break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            detail = body.Length > 500 ? body[..500] : body;
        }
        throw new NeuralFpRequestException(response.StatusCode, type, title ?? response.ReasonPhrase, detail, extensions);
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _ownsHttp) _http.Dispose();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
