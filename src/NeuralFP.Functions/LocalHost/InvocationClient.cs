using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralFP.Functions.Http;

namespace NeuralFP.Functions.LocalHost;

/// <summary>Posts invocation payloads to the handler over loopback, exactly as the Functions host does.</summary>
public sealed class InvocationClient(HttpClient http, Uri handlerBase, string? functionKey)
{
    public async Task<InvocationReply> InvokeAsync(string functionName, JsonObject payload, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(handlerBase, functionName))
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        if (functionKey is not null) request.Headers.Add(FunctionKeyFilter.HeaderName, functionKey);
        request.Headers.Add(Telemetry.FunctionTelemetryFilter.InvocationIdHeader, Guid.NewGuid().ToString());
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return Parse((int)response.StatusCode, body);
    }

    internal static InvocationReply Parse(int status, string body)
    {
        var outputs = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        var logs = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.NameEquals("Outputs") && property.Value.ValueKind == JsonValueKind.Object)
                        foreach (var output in property.Value.EnumerateObject()) outputs[output.Name] = output.Value.Clone();
                    else if (property.NameEquals("Logs") && property.Value.ValueKind == JsonValueKind.Array)
                        logs.AddRange(property.Value.EnumerateArray().Select(l => l.ToString()));
                }
            }
        }
        catch (JsonException)
        {
            // Not a payload reply (e.g. a bare error page): the body itself is the reason.
        }
        return new InvocationReply(status, outputs, logs, body);
    }
}
