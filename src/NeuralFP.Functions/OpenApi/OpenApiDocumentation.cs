using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using NeuralFP.Contracts;

namespace NeuralFP.Functions.OpenApi;

/// <summary>What the generated OpenAPI document cannot infer from the endpoint metadata alone.</summary>
internal static class OpenApiDocumentation
{
    /// <summary>The verdicts endpoint answers with the fingerprint's verdicts or, with <c>?detector=</c>, a detector's: one of two schemas.</summary>
    public static async Task VerdictsResponses(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.Responses?.TryGetValue("200", out var ok) != true || ok!.Content?.TryGetValue("application/json", out var media) != true || media!.Schema is not { } fingerprint)
            return;
        var document = context.Document;
        const string detectorSchema = nameof(DetectorVerdictsResponse);
        IOpenApiSchema detector;
        if (document is null)
        {
            detector = await context.GetOrCreateSchemaAsync(typeof(DetectorVerdictsResponse), null, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (document.Components?.Schemas?.ContainsKey(detectorSchema) != true)
                document.AddComponent(detectorSchema, await context.GetOrCreateSchemaAsync(typeof(DetectorVerdictsResponse), null, cancellationToken).ConfigureAwait(false));
            detector = new OpenApiSchemaReference(detectorSchema, document);
        }
        media.Schema = new OpenApiSchema { OneOf = [fingerprint, detector] };
        ok.Description = "The fingerprint's verdicts (VerdictsResponse), or with ?detector=name that detector's (DetectorVerdictsResponse).";
    }
}
