using System.Reflection;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.Core;
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
        RunExtensionStartupWhenHosted(builder);
        builder.ConfigureFunctionsWebApplication();
        using var app = builder.Build();
        await app.RunAsync(cancellationToken);
    }

    /// <summary>
    /// The worker runs the extensions' startup code (the input converters for BlobClient, HttpRequest...) that the SDK
    /// generates into this assembly, but finds it through Assembly.GetEntryAssembly(): inside a test process that is
    /// the test runner, so run it here.
    /// </summary>
    private static void RunExtensionStartupWhenHosted(FunctionsApplicationBuilder builder)
    {
        var self = typeof(Program).Assembly;
        if (Assembly.GetEntryAssembly() == self) return;
        if (self.GetCustomAttribute<WorkerExtensionStartupCodeExecutorInfoAttribute>() is { } startup)
            ((WorkerExtensionStartup)Activator.CreateInstance(startup.StartupCodeExecutorType)!).Configure(builder);
    }
}
