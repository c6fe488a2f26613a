using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace NeuralFP.LocalHost.SampleWorker;

public static class Program
{
    public static Task Main(string[] args) => RunAsync(args, new Dictionary<string, string?>(), CancellationToken.None);

    /// <summary>The worker's entry point with extra settings, so a test can also run it in its own process.</summary>
    public static async Task RunAsync(string[] args, IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.ConfigureFunctionsWebApplication();
        using var app = builder.Build();
        await app.RunAsync(cancellationToken);
    }
}
