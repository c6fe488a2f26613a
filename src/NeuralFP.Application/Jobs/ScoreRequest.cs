using System.Text.Json;
using System.Text.RegularExpressions;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Registry;

namespace NeuralFP.Application.Jobs;

/// <summary>
/// A queued scoring request: <c>{"batchId", "modelId", "records": [[…]]}</c> or
/// <c>{"batchId", "modelId", "recordsBlob": "container/path/records.npy"}</c>.
/// </summary>
public sealed partial record ScoreRequest(string BatchId, string ModelId, JsonElement? Records, string? RecordsBlob)
{
    /// <exception cref="InvalidScoreRequestException">The message is not such a request.</exception>
    public static ScoreRequest Parse(string message)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message);
        }
        catch (JsonException e)
        {
            throw new InvalidScoreRequestException($"The score request is not valid JSON ({e.Message}). Send {{\"batchId\", \"modelId\", \"records\" or \"recordsBlob\"}}.");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidScoreRequestException("The score request must be a JSON object with batchId, modelId and records or recordsBlob.");
            var batchId = ReadString(root, "batchId");
            var modelId = ReadString(root, "modelId");
            if (batchId is null || !BatchIdPattern().IsMatch(batchId))
                throw new InvalidScoreRequestException($"batchId '{batchId}' is missing or invalid: use 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit.");
            if (!ModelIds.IsValid(modelId))
                throw new InvalidScoreRequestException($"modelId '{modelId}' is missing or invalid: use 1–63 letters, digits, '.', '_' or '-'.");
            JsonElement? records = TryGetProperty(root, "records", out var r) && r.ValueKind != JsonValueKind.Null ? r.Clone() : null;
            var recordsBlob = ReadString(root, "recordsBlob");
            if (records is null == recordsBlob is null)
                throw new InvalidScoreRequestException("A score request needs exactly one of \"records\" (inline JSON records) and \"recordsBlob\" (\"container/path.npy\").");
            if (recordsBlob is not null)
                _ = SplitBlobPath(recordsBlob);
            return new ScoreRequest(batchId, modelId!, records, recordsBlob);
        }
    }

    /// <summary>Splits <c>container/path</c>.</summary>
    public static (string Container, string Name) SplitBlobPath(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == path.Length - 1 || path.Contains("..", StringComparison.Ordinal))
            throw new InvalidScoreRequestException($"recordsBlob '{path}' must be 'container/path/to/records.npy' in the service's storage account.");
        return (path[..slash], path[(slash + 1)..]);
    }

    private static bool TryGetProperty(JsonElement root, string name, out JsonElement value)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    private static string? ReadString(JsonElement root, string name)
    {
        if (!TryGetProperty(root, name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String)
            throw new InvalidScoreRequestException($"\"{name}\" must be a string.");
        return value.GetString();
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex BatchIdPattern();
}
