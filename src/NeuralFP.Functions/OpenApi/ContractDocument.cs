using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Http;

namespace NeuralFP.Functions.OpenApi;

/// <summary>
/// Makes the generated document say what the service really accepts and returns: the serializer conventions of the
/// service's JSON (numbers are numbers, null properties are left out, enums are camelCase strings), binary bodies, the
/// problem details fields, and the function-key security scheme.
/// </summary>
internal static class ContractDocument
{
    public const string HeaderKeyScheme = "functionKey";
    public const string QueryKeyScheme = "functionKeyQuery";

    /// <summary>Operations any caller may use; every other one takes a function key.</summary>
    private static readonly HashSet<string> Anonymous = [FunctionNames.Health, FunctionNames.OpenApi];

    private static readonly string[] BinaryRecordTypes = [RecordsBodyReader.NpyContentType, "application/octet-stream"];

    /// <summary>
    /// The generator's serializer options, set as <see cref="Application.Serialization.JsonDefaults"/> writes: the web defaults
    /// would type every number as "number or numeric string", which the service neither writes nor reads.
    /// </summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.NumberHandling = JsonNumberHandling.Strict;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }

    public static Task CompleteAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "NeuralFP";
        document.Info.Description = "Fingerprint-as-a-service for neural networks: per-record out-of-distribution verdicts, explanations, model match, " +
            "drift and the fingerprint artifact for edge gateways. Every operation except health and this document takes a function key " +
            "(header x-functions-key or query parameter code). Errors are RFC 9457 problem details (application/problem+json).";
        foreach (var (name, schema) in document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>())
        {
            if (schema is not OpenApiSchema concrete) continue;
            if (name == "ProblemDetails") DescribeProblem(concrete);
            NullsAreOmitted(concrete);
        }
        // The archive's Produces<Stream> leaves a schema of Stream's properties behind; its content is described as binary below.
        document.Components?.Schemas?.Remove("Stream");
        AddSecurity(document);
        foreach (var path in document.Paths.Values)
        {
            foreach (var (_, operation) in path.Operations ?? [])
            {
                if (!Anonymous.Contains(operation.OperationId ?? string.Empty))
                    operation.Security = [KeyRequirement(document, HeaderKeyScheme), KeyRequirement(document, QueryKeyScheme)];
                BinaryBodies(operation);
                if (operation.OperationId != FunctionNames.OpenApi) ServerProblems(document, operation);
                if (operation.OperationId == FunctionNames.OpenApi && operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse document200)
                {
                    document200.Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "An OpenAPI 3.1 document: this one." } },
                    };
                }
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The service leaves null properties out (<c>WhenWritingNull</c>), so a nullable property is never required; and a nullable
    /// reference's description sits on the reference inside its <c>oneOf</c>, where tools do not look: lift it to the property.
    /// </summary>
    private static void NullsAreOmitted(OpenApiSchema schema)
    {
        if (schema.Properties is null) return;
        foreach (var (property, value) in schema.Properties)
        {
            if (value is not OpenApiSchema concrete) continue;
            var nullable = (concrete.Type is { } type && type.HasFlag(JsonSchemaType.Null))
                || (concrete.OneOf?.Any(s => s.Type == JsonSchemaType.Null) ?? false);
            if (nullable) schema.Required?.Remove(property);
            if (string.IsNullOrEmpty(concrete.Description) && concrete.OneOf?.FirstOrDefault(s => !string.IsNullOrEmpty(s.Description)) is { } described)
                concrete.Description = described.Description;
        }
    }

    private static void DescribeProblem(OpenApiSchema schema)
    {
        schema.Description = "An RFC 9457 problem: what was wrong with the request (or the service), in words a caller can act on.";
        string[][] fields =
        [
            ["type", "A URI reference naming the kind of problem."],
            ["title", "A short summary of the kind of problem."],
            ["status", "The HTTP status code."],
            ["detail", "What exactly was wrong with this request, e.g. the expected and the actual shape."],
            ["instance", "The request path the problem occurred on."],
        ];
        foreach (var field in fields)
            if (schema.Properties?.TryGetValue(field[0], out var property) == true && property is OpenApiSchema concrete)
                concrete.Description = field[1];
    }

    /// <summary>
    /// What the problem middleware answers for any function that reaches storage: 503 while storage does not answer or
    /// refuses the service (with Retry-After; nothing was changed) and 500 for an unexpected failure. Health declares its own 503.
    /// </summary>
    private static void ServerProblems(OpenApiDocument document, OpenApiOperation operation)
    {
        operation.Responses ??= new OpenApiResponses();
        if (!operation.Responses.ContainsKey("503"))
        {
            operation.Responses["503"] = new OpenApiResponse
            {
                Description = "Storage is not answering (type storage-unavailable) or refuses the service's access (type storage-refused, an operator " +
                    "must act); nothing was changed. Retry after the Retry-After header's seconds.",
                Headers = new Dictionary<string, IOpenApiHeader>
                {
                    ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
                },
                Content = ProblemContent(document),
            };
        }
        if (!operation.Responses.ContainsKey("500"))
            operation.Responses["500"] = new OpenApiResponse { Description = "An unexpected failure; it has been logged.", Content = ProblemContent(document) };
    }

    private static Dictionary<string, OpenApiMediaType> ProblemContent(OpenApiDocument document) => new()
    {
        ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", document) },
    };

    private static void AddSecurity(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[HeaderKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "x-functions-key",
            Description = "An Azure Functions key (function or host key) in the x-functions-key header.",
        };
        document.Components.SecuritySchemes[QueryKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Query,
            Name = "code",
            Description = "The same key as the query parameter code (for clients that cannot set headers).",
        };
    }

    private static OpenApiSecurityRequirement KeyRequirement(OpenApiDocument document, string scheme) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

    /// <summary>.npy bodies and the fingerprint archive are bytes, not JSON documents.</summary>
    private static void BinaryBodies(OpenApiOperation operation)
    {
        if (operation.RequestBody?.Content is { } content && content.ContainsKey(RecordsBodyReader.NpyContentType))
        {
            foreach (var type in BinaryRecordTypes)
            {
                content[type] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Format = "binary",
                        Description = "A NumPy .npy file (format 1.0-3.0, little-endian float32, C order) of shape [N, ...input shape].",
                    },
                };
            }
        }
        if (operation.Responses is null) return;
        foreach (var response in operation.Responses.Values)
        {
            if (response.Content is null) continue;
            foreach (var (type, media) in response.Content)
            {
                if (type.Contains("zip", StringComparison.OrdinalIgnoreCase) && media is OpenApiMediaType m)
                    m.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The fingerprint archive (zip)." };
            }
        }
    }
}
