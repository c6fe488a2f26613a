using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using NeuralFP.Functions.OpenApi;

namespace NeuralFP.Functions.Tests.Infrastructure;

/// <summary>
/// Checks every response a test's <see cref="HttpClient"/> receives against the app's OpenAPI document: the operation
/// (method and path template) must declare the status code and the media type, and a JSON body (problem details included)
/// must match that response's schema (JSON Schema 2020-12, as OpenAPI 3.1 uses). A mismatch throws at the call, naming the
/// operation, status and what the schema rejected. Built from the document itself, so it follows contract changes.
/// Requests to paths the document does not describe (the catch-all 404) are counted, not checked.
/// </summary>
public sealed class ContractCheck : DelegatingHandler
{
    private static readonly Lazy<Task<Contract>> Document = new(async () => Contract.Parse(await new ApiDocument().GetJsonAsync(CancellationToken.None)));

    /// <summary>Responses checked in this test run, per operation, status and media type.</summary>
    public static ConcurrentDictionary<string, int> Checked { get; } = new(StringComparer.Ordinal);

    /// <summary>Responses to paths the document does not describe.</summary>
    public static ConcurrentDictionary<string, int> Undescribed { get; } = new(StringComparer.Ordinal);

    public ContractCheck() : base(new HttpClientHandler())
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var contract = await Document.Value.ConfigureAwait(false);
        await contract.CheckAsync(request, response, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <summary>Writes what was checked so far beside the test binaries (contract-coverage.txt).</summary>
    public static void WriteCoverage()
    {
        var lines = new List<string> { $"# responses checked against the OpenAPI document: {Checked.Values.Sum()} in {Checked.Count} (operation, status, media type) combinations" };
        lines.AddRange(Checked.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}\t{c.Value}"));
        lines.Add($"# responses to paths the document does not describe (not checked): {Undescribed.Values.Sum()}");
        lines.AddRange(Undescribed.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}\t{c.Value}"));
        lock (Checked)
            File.WriteAllLines(Path.Combine(AppContext.BaseDirectory, "contract-coverage.txt"), lines);
    }

    internal sealed record Operation(string Id, string Method, string[] Segments, Dictionary<string, Dictionary<string, JsonSchema?>> Responses);

    internal sealed class Contract(IReadOnlyList<Operation> operations)
    {
        public IReadOnlyList<Operation> Operations => operations;

        public static Contract Parse(string json)
        {
            var document = JsonNode.Parse(json)!.AsObject();
            // Component references become $defs references, so each response schema can carry the components it needs.
            var defs = document["components"]?["schemas"]?.ToJsonString() ?? "{}";
            var operations = new List<Operation>();
            int counter = 0;
            foreach (var (path, item) in document["paths"]!.AsObject())
            {
                foreach (var (method, node) in item!.AsObject())
                {
                    if (node is not JsonObject operation || operation["responses"] is not JsonObject responses) continue;
                    var byStatus = new Dictionary<string, Dictionary<string, JsonSchema?>>(StringComparer.Ordinal);
                    foreach (var (status, response) in responses)
                    {
                        var byMedia = new Dictionary<string, JsonSchema?>(StringComparer.OrdinalIgnoreCase);
                        foreach (var (media, content) in response?["content"]?.AsObject() ?? [])
                        {
                            JsonSchema? schema = null;
                            if (content?["schema"] is JsonObject s && IsJson(media))
                            {
                                var text = $$"""{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{{defs}},"allOf":[{{s.ToJsonString()}}]}"""
                                    .Replace("\"#/components/schemas/", "\"#/$defs/", StringComparison.Ordinal);
                                schema = JsonSchema.FromText(text, baseUri: new Uri($"https://contract.neuralfp.test/{Guid.NewGuid():N}/{counter++}"));
                            }
                            byMedia[media] = schema;
                        }
                        byStatus[status] = byMedia;
                    }
                    operations.Add(new Operation(operation["operationId"]?.GetValue<string>() ?? $"{method} {path}", method.ToUpperInvariant(), path.Trim('/').Split('/'), byStatus));
                }
            }
            return new Contract(operations);
        }

        public Operation? Find(string method, string path)
        {
            var segments = path.Trim('/').Split('/');
            return operations.FirstOrDefault(o => o.Method == method && o.Segments.Length == segments.Length
                && o.Segments.Zip(segments).All(p => p.First.StartsWith('{') || string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase)));
        }

        public async Task CheckAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
        {
            var method = request.Method.Method.ToUpperInvariant();
            var path = request.RequestUri!.AbsolutePath;
            var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var operation = Find(method, path);
            if (operation is null)
            {
                Undescribed.AddOrUpdate($"{method} {path}\t{status}", 1, (_, n) => n + 1);
                return;
            }

            var where = $"{operation.Id} ({method} {path}) answered {status}";
            if (!operation.Responses.TryGetValue(status, out var media) && !operation.Responses.TryGetValue("default", out media))
                throw new ContractViolationException($"{where}, a status the OpenAPI document does not declare for it (declared: {string.Join(", ", operation.Responses.Keys)}).");

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (body.Length == 0 && media.Count == 0)
            {
                Count(operation, status, "(empty)");
                return;
            }
            if (mediaType is null || !media.TryGetValue(mediaType, out var schema))
                throw new ContractViolationException($"{where} with content type '{mediaType}', which the document does not declare for it (declared: {string.Join(", ", media.Keys)}).");
            if (schema is not null)
            {
                JsonDocument json;
                try
                {
                    json = JsonDocument.Parse(body);
                }
                catch (JsonException e)
                {
                    throw new ContractViolationException($"{where} with a {mediaType} body that is not JSON: {e.Message}");
                }
                using (json)
                {
                    var result = schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
                    if (!result.IsValid)
                        throw new ContractViolationException($"{where}: the {mediaType} body does not match the document's schema:{Environment.NewLine}{Describe(result)}{Environment.NewLine}Body: {Truncate(Encoding.UTF8.GetString(body))}");
                }
            }
            Count(operation, status, mediaType);
        }

        private static void Count(Operation operation, string status, string mediaType) =>
            Checked.AddOrUpdate($"{operation.Id}\t{status}\t{mediaType}", 1, (_, n) => n + 1);

        private static string Describe(EvaluationResults result) =>
            string.Join(Environment.NewLine, (result.Details ?? [])
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"  at {d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}"))
                .Distinct()
                .Take(20));

        private static string Truncate(string text) => text.Length <= 1500 ? text : text[..1500] + "…";
    }

    internal static bool IsJson(string mediaType) =>
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A response that the OpenAPI document does not describe.</summary>
public sealed class ContractViolationException(string message) : Exception(message);
