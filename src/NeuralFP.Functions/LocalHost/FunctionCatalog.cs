using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NeuralFP.Functions.LocalHost;

/// <summary>
/// The app as the Functions host sees it: host.json plus one <c>{FunctionName}/function.json</c> per
/// function folder under the script root. The local host drives the app from exactly these declarations.
/// </summary>
public sealed class FunctionCatalog
{
    private FunctionCatalog(string scriptRoot, JsonObject hostJson, QueueSettings queues, IReadOnlyList<FunctionDefinition> functions)
    {
        ScriptRoot = scriptRoot;
        HostJson = hostJson;
        Queues = queues;
        Functions = functions;
    }

    public string ScriptRoot { get; }
    public JsonObject HostJson { get; }
    public QueueSettings Queues { get; }
    public IReadOnlyList<FunctionDefinition> Functions { get; }

    public FunctionDefinition this[string name] => Functions.Single(f => f.Name == name);

    public static FunctionCatalog Load(string scriptRoot)
    {
        var hostPath = Path.Combine(scriptRoot, "host.json");
        if (!File.Exists(hostPath))
            throw new InvalidOperationException($"No host.json in {scriptRoot}: the local host reads the same host.json and function.json files as the Functions host.");
        var hostJson = ParseObject(hostPath);
        var functions = new List<FunctionDefinition>();
        foreach (var folder in Directory.GetDirectories(scriptRoot).Order(StringComparer.Ordinal))
        {
            var path = Path.Combine(folder, "function.json");
            if (File.Exists(path)) functions.Add(ParseFunction(Path.GetFileName(folder), path));
        }
        return new FunctionCatalog(scriptRoot, hostJson, ParseQueues(hostJson), functions);
    }

    public static FunctionDefinition ParseFunction(string name, string path)
    {
        var json = ParseObject(path);
        if (json["bindings"] is not JsonArray bindings)
            throw new InvalidOperationException($"{path} has no bindings array.");
        var parsed = new List<BindingDefinition>();
        foreach (var node in bindings)
        {
            if (node is not JsonObject binding)
                throw new InvalidOperationException($"{path}: every binding must be an object.");
            string Required(string key) => binding[key]?.GetValue<string>() ?? throw new InvalidOperationException($"{path}: a binding lacks \"{key}\".");
            parsed.Add(new BindingDefinition(Required("type"), Required("direction"), Required("name"), binding));
        }
        if (parsed.Count(b => b.IsTrigger) != 1)
            throw new InvalidOperationException($"{path} must declare exactly one trigger.");
        return new FunctionDefinition(name, parsed);
    }

    private static QueueSettings ParseQueues(JsonObject host)
    {
        var defaults = new QueueSettings();
        if (host["extensions"]?["queues"] is not JsonObject queues) return defaults;
        return new QueueSettings
        {
            MaxDequeueCount = queues["maxDequeueCount"]?.GetValue<int>() ?? defaults.MaxDequeueCount,
            VisibilityTimeout = ParseTime(queues["visibilityTimeout"]) ?? defaults.VisibilityTimeout,
            MaxPollingInterval = ParseTime(queues["maxPollingInterval"]) ?? defaults.MaxPollingInterval,
            BatchSize = queues["batchSize"]?.GetValue<int>() ?? defaults.BatchSize,
            MessageEncoding = queues["messageEncoding"]?.GetValue<string>() ?? defaults.MessageEncoding,
        };
    }

    // host.json times are "hh:mm:ss" strings (or milliseconds as a number, for maxPollingInterval).
    private static TimeSpan? ParseTime(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => TimeSpan.Parse(s, CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<double>(out var ms) => TimeSpan.FromMilliseconds(ms),
        _ => throw new InvalidOperationException($"Cannot read a time from {node.ToJsonString()}."),
    };

    private static JsonObject ParseObject(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new InvalidOperationException($"{path} must hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{path} is not valid JSON: {e.Message}", e);
        }
    }
}
