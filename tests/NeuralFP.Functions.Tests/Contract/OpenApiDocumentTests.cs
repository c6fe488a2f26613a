using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using NeuralFP.Functions.OpenApi;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Contract;

/// <summary>
/// The OpenAPI document is valid (Microsoft.OpenApi's reader and its default validation rules; every schema against the
/// JSON Schema 2020-12 meta-schema with JsonSchema.Net) and says what the service really does: numbers as numbers, .npy
/// bodies as binary, nested records by reference, a description on every property, the function-key security scheme and
/// the fitted detectors of a model.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private static readonly Lazy<Task<string>> Json = new(() => new ApiDocument().GetJsonAsync(CancellationToken.None));

    private static async Task<JsonObject> DocumentAsync() => JsonNode.Parse(await Json.Value)!.AsObject();

    private static IEnumerable<(string Schema, string Property, JsonObject Value)> Properties(JsonObject document) =>
        document["components"]!["schemas"]!.AsObject()
            .SelectMany(s => (s.Value!["properties"]?.AsObject() ?? []).Select(p => (s.Key, p.Key, p.Value!.AsObject())));

    [Fact]
    public async Task The_document_reads_without_errors_and_passes_the_OpenAPI_validation_rules()
    {
        var read = OpenApiDocument.Parse(await Json.Value, OpenApiConstants.Json, new OpenApiReaderSettings());
        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, read.Diagnostic!.SpecificationVersion);
        var document = read.Document;
        Assert.NotNull(document);
        var errors = document.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors.Select(e => $"{e.Pointer}: {e.Message}")));
        Assert.Equal(9, document.Paths.Count);
    }

    [Fact]
    public async Task Every_schema_is_valid_JSON_Schema_2020_12()
    {
        var document = await DocumentAsync();
        foreach (var (name, schema) in document["components"]!["schemas"]!.AsObject())
        {
            using var json = System.Text.Json.JsonDocument.Parse(schema!.ToJsonString());
            var result = MetaSchemas.Draft202012.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, $"Schema {name} is not valid JSON Schema 2020-12.");
        }
    }

    [Fact]
    public async Task Numbers_are_typed_as_numbers_only()
    {
        var document = await DocumentAsync();
        var numberOrString = Properties(document)
            .Where(p => p.Value["type"] is JsonArray types && types.Any(t => t!.GetValue<string>() == "string") && types.Any(t => t!.GetValue<string>() is "number" or "integer"))
            .Select(p => $"{p.Schema}.{p.Property}")
            .ToList();
        Assert.Empty(numberOrString);
        Assert.Equal("number", document["components"]!["schemas"]!["RecordVerdict"]!["properties"]!["score"]!["type"]!.GetValue<string>());
        Assert.Equal("integer", document["components"]!["schemas"]!["VerdictsResponse"]!["properties"]!["records"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_property_has_a_description()
    {
        var document = await DocumentAsync();
        var properties = Properties(document).ToList();
        var undescribed = properties.Where(p => string.IsNullOrWhiteSpace(p.Value["description"]?.GetValue<string>())).Select(p => $"{p.Schema}.{p.Property}").ToList();
        Assert.True(undescribed.Count == 0, $"{undescribed.Count} of {properties.Count} properties lack a description: {string.Join(", ", undescribed)}");
        Assert.True(properties.Count > 90);
    }

    [Fact]
    public async Task Npy_bodies_are_binary_and_records_nest_by_reference()
    {
        var document = await DocumentAsync();
        foreach (var path in new[] { "/api/models/{modelId}/verdicts", "/api/match" })
        {
            var content = document["paths"]![path]!["post"]!["requestBody"]!["content"]!.AsObject();
            foreach (var media in new[] { "application/x-npy", "application/octet-stream" })
            {
                Assert.Equal("string", content[media]!["schema"]!["type"]!.GetValue<string>());
                Assert.Equal("binary", content[media]!["schema"]!["format"]!.GetValue<string>());
            }
            Assert.Equal("#/components/schemas/RecordsRequest", content["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        }
        var schemas = document["components"]!["schemas"]!;
        Assert.Equal("#/components/schemas/RecordVerdict", schemas["VerdictsResponse"]!["properties"]!["verdicts"]!["items"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/LayerThresholds", schemas["VerdictsResponse"]!["properties"]!["layers"]!["items"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/LayerEvidence", schemas["RecordVerdict"]!["properties"]!["layers"]!["items"]!["$ref"]!.GetValue<string>());
        Assert.Null(schemas["Stream"]); // the archive is described inline as binary, not as a .NET Stream's properties
        var zip = document["paths"]!["/api/models/{modelId}/fingerprint"]!["get"]!["responses"]!["200"]!["content"]!.AsObject().Single();
        Assert.Equal("binary", zip.Value!["schema"]!["format"]!.GetValue<string>());
    }

    [Fact]
    public async Task Function_keys_are_the_security_scheme_of_every_keyed_operation()
    {
        var document = await DocumentAsync();
        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal(("apiKey", "header", "x-functions-key"), (schemes["functionKey"]!["type"]!.GetValue<string>(), schemes["functionKey"]!["in"]!.GetValue<string>(), schemes["functionKey"]!["name"]!.GetValue<string>()));
        Assert.Equal(("apiKey", "query", "code"), (schemes["functionKeyQuery"]!["type"]!.GetValue<string>(), schemes["functionKeyQuery"]!["in"]!.GetValue<string>(), schemes["functionKeyQuery"]!["name"]!.GetValue<string>()));
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var anonymous = path is "/api/health" or "/api/openapi.json";
                var security = operation!["security"]?.AsArray().Select(r => r!.AsObject().Single().Key).ToList() ?? [];
                Assert.True(anonymous ? security.Count == 0 : security.SequenceEqual(["functionKey", "functionKeyQuery"]), $"{method} {path}: security {string.Join(",", security)}");
            }
        }
    }

    [Fact]
    public async Task Every_operation_that_reaches_storage_declares_the_storage_outage_and_internal_error_problems()
    {
        var document = await DocumentAsync();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            if (path == "/api/openapi.json") continue;
            foreach (var (method, operation) in item!.AsObject())
            {
                var responses = operation!["responses"]!;
                Assert.True(responses["503"] is not null && responses["500"] is not null, $"{method} {path} lacks 503 or 500.");
                if (path != "/api/health")
                {
                    Assert.Equal("#/components/schemas/ProblemDetails", responses["503"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
                    Assert.NotNull(responses["503"]!["headers"]!["Retry-After"]);
                }
            }
        }
    }

    [Fact]
    public async Task A_model_lists_its_fitted_detectors_and_their_summaries()
    {
        var document = await DocumentAsync();
        var properties = document["components"]!["schemas"]!["ModelView"]!["properties"]!;
        var detectors = properties["detectors"]!;
        Assert.Equal("array", detectors["type"]!.GetValue<string>());
        Assert.Equal("string", detectors["items"]!["type"]!.GetValue<string>());
        Assert.Contains("?detector=", detectors["description"]!.GetValue<string>());
        Assert.Contains("newDataFpr", properties["detectorSummaries"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_response_check_knows_every_operation_of_the_document()
    {
        var contract = ContractCheck.Contract.Parse(await Json.Value);
        Assert.Equal(10, contract.Operations.Count); // report has GET and POST
        Assert.NotNull(contract.Find("POST", "/api/models/cnn/verdicts"));
        Assert.Null(contract.Find("DELETE", "/api/models/cnn"));
    }
}
