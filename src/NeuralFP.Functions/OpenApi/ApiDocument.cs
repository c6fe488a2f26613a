using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.OpenApi;

/// <summary>
/// The OpenAPI document of the HTTP functions, generated once from <see cref="ApiDescription"/> by Microsoft.AspNetCore.OpenApi
/// in a private, never-started web application (the functions themselves are not ASP.NET Core endpoints), and the
/// routes it describes, so that an unserved path can be told from an unserved method.
/// </summary>
public sealed class ApiDocument
{
    private const string DocumentName = "v1";
    private readonly Lazy<Task<string>> _json = new(GenerateAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly string[][] _routes = new[] { Routes.Verdicts, Routes.Match, Routes.Models, Routes.Model, Routes.Drift, Routes.Report, Routes.FingerprintDownload, Routes.Health, Routes.OpenApi }
        .Select(route => (Routes.Prefix + "/" + route).Split('/')).ToArray();

    public Task<string> GetJsonAsync(CancellationToken cancellationToken) => _json.Value.WaitAsync(cancellationToken);

    /// <summary>Whether some function serves <paramref name="path"/> (with any method).</summary>
    public bool ServesPath(string path)
    {
        var segments = path.Trim('/').Split('/');
        return _routes.Any(route => route.Length == segments.Length && route.Zip(segments).All(p => p.First.StartsWith('{') || string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase)));
    }

    private static async Task<string> GenerateAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(ApiDocument).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Services.ConfigureHttpJsonOptions(json => ContractDocument.Configure(json.SerializerOptions));
        builder.Services.AddOpenApi(DocumentName, options => options.AddDocumentTransformer(ContractDocument.CompleteAsync));
        // The generator reads the endpoints from the EndpointDataSource service, which a web application that never
        // starts does not fill: hand it the application's own data sources.
        ICollection<EndpointDataSource> sources = [];
        builder.Services.AddSingleton<EndpointDataSource>(_ => new CompositeEndpointDataSource(sources));
        await using var app = builder.Build();
        ApiDescription.Map(app);
        sources = ((IEndpointRouteBuilder)app).DataSources;
        var document = await app.Services.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName).GetOpenApiDocumentAsync().ConfigureAwait(false);
        return await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1).ConfigureAwait(false);
    }
}
