using System.Text;
using System.Text.Json;

namespace NeuralFP.Functions.Invocations;

/// <summary>
/// What the Functions host posts to <c>/{FunctionName}</c> for a non-HTTP trigger: <c>{"Data": {binding: value},
/// "Metadata": {name: value, "sys": {…}}}</c>. String values arrive JSON-encoded (often twice) and are decoded here.
/// </summary>
public sealed class InvocationRequest : IDisposable
{
    private readonly JsonDocument _document;

    private InvocationRequest(JsonDocument document)
    {
        _document = document;
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidInvocationException("The invocation payload must be a JSON object with Data and Metadata.");
        Data = Property(root, "Data");
        Metadata = Property(root, "Metadata");
    }

    public JsonElement Data { get; }

    public JsonElement Metadata { get; }

    public static async Task<InvocationRequest> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        try
        {
            return new InvocationRequest(await JsonDocument.ParseAsync(body, default, cancellationToken).ConfigureAwait(false));
        }
        catch (JsonException e)
        {
            throw new InvalidInvocationException($"The invocation payload is not JSON: {e.Message}");
        }
    }

    public static InvocationRequest Parse(string json)
    {
        try
        {
            return new InvocationRequest(JsonDocument.Parse(json));
        }
        catch (JsonException e)
        {
            throw new InvalidInvocationException($"The invocation payload is not JSON: {e.Message}");
        }
    }

    /// <summary>A trigger or input binding's value as text.</summary>
    public string? GetDataString(string bindingName) => Decode(Property(Data, bindingName));

    /// <summary>A metadata value as text (e.g. a blob path placeholder such as <c>modelId</c>).</summary>
    public string? GetMetadataString(string name) => Decode(Property(Metadata, name));

    /// <summary>
    /// Text of a JSON value: strings are unwrapped, and unwrapped again while they are themselves a JSON
    /// string literal (the host's double encoding); objects and arrays give their JSON text.
    /// </summary>
    public static string? Decode(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                var text = value.GetString()!;
                for (var depth = 0; depth < 3 && text.Length >= 2 && text[0] == '"' && text[^1] == '"'; depth++)
                {
                    try
                    {
                        text = JsonSerializer.Deserialize<string>(text) ?? text;
                    }
                    catch (JsonException)
                    {
                        break;
                    }
                }
                return text;
            default:
                return value.GetRawText();
        }
    }

    /// <summary>
    /// A queue message's text: as delivered, or base64-decoded when a producer or host left it encoded
    /// (the message is JSON, so text that is not JSON but is base64 of JSON is unwrapped).
    /// </summary>
    public static string UnwrapMessage(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length == 0 || trimmed[0] is '{' or '[') return text;
        var buffer = new byte[trimmed.Length];
        if (Convert.TryFromBase64Chars(trimmed, buffer, out var written))
        {
            var decoded = Encoding.UTF8.GetString(buffer, 0, written);
            if (decoded.TrimStart().StartsWith('{')) return decoded;
        }
        return text;
    }

    private static JsonElement Property(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object) return default;
        if (element.TryGetProperty(name, out var exact)) return exact;
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) return property.Value;
        }
        return default;
    }

    public void Dispose() => _document.Dispose();
}
