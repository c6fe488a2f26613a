using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NeuralFP.Functions.LocalHost;

/// <summary>
/// Builds the payloads the Functions host posts for non-HTTP triggers: <c>{"Data": {...}, "Metadata": {...}}</c>,
/// with string values JSON-encoded inside JSON strings (the host's double encoding) and binary as base64.
/// </summary>
public static class InvocationPayloads
{
    /// <summary>A string as the host puts it in a payload: the JSON encoding of the string, itself a string.</summary>
    public static JsonNode Encoded(string value) => JsonValue.Create(JsonSerializer.Serialize(value));

    public static JsonObject Blob(string functionName, string bindingName, string container, string blobName, Uri blobUri,
        IReadOnlyDictionary<string, string> placeholders, byte[] content, long length, string etag, string? contentType)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in placeholders) metadata[key] = Encoded(value);
        metadata["BlobTrigger"] = Encoded($"{container}/{blobName}");
        metadata["Uri"] = Encoded(blobUri.ToString());
        metadata["Properties"] = new JsonObject
        {
            ["Length"] = length,
            ["ETag"] = Encoded(etag),
            ["ContentType"] = contentType is null ? null : Encoded(contentType),
        };
        metadata["Metadata"] = new JsonObject();
        metadata["sys"] = Sys(functionName);
        return new JsonObject
        {
            ["Data"] = new JsonObject { [bindingName] = Convert.ToBase64String(content) },
            ["Metadata"] = metadata,
        };
    }

    public static JsonObject QueueMessage(string functionName, string bindingName, string messageText, string id, string popReceipt,
        long dequeueCount, DateTimeOffset? insertedOn, DateTimeOffset? expiresOn, DateTimeOffset? nextVisibleOn)
        => new()
        {
            ["Data"] = new JsonObject { [bindingName] = Encoded(messageText) },
            ["Metadata"] = new JsonObject
            {
                ["DequeueCount"] = dequeueCount,
                ["Id"] = Encoded(id),
                ["PopReceipt"] = Encoded(popReceipt),
                ["InsertionTime"] = Encoded(Time(insertedOn)),
                ["ExpirationTime"] = Encoded(Time(expiresOn)),
                ["NextVisibleTime"] = Encoded(Time(nextVisibleOn)),
                ["sys"] = Sys(functionName),
            },
        };

    private static JsonObject Sys(string functionName) => new()
    {
        ["MethodName"] = Encoded(functionName),
        ["UtcNow"] = Encoded(Time(DateTimeOffset.UtcNow)),
        ["RandGuid"] = Encoded(Guid.NewGuid().ToString()),
    };

    private static string Time(DateTimeOffset? time) => (time ?? DateTimeOffset.UtcNow).ToString("O", CultureInfo.InvariantCulture);
}
