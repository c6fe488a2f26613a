using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using NeuralFP.LocalHost;

// dotnet NeuralFP.LocalHost.dll --worker <path/App.dll> [--urls http://127.0.0.1:7071] [--host-json <path>]
// AzureWebJobsStorage and every other app setting come from the environment, which the worker inherits.
string? worker = null, hostJson = null;
var urls = "http://127.0.0.1:7071";
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--worker": worker = Value(); break;
        case "--urls": urls = Value().Split(';')[0]; break;
        case "--host-json": hostJson = Value(); break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: --worker <App.dll> [--urls http://127.0.0.1:7071] [--host-json host.json]");
            return 2;
    }
}
if (worker is null)
{
    Console.Error.WriteLine("Usage: NeuralFP.LocalHost --worker <App.dll> [--urls http://127.0.0.1:7071] [--host-json host.json]");
    return 2;
}
var storage = Environment.GetEnvironmentVariable("AzureWebJobsStorage");
if (string.IsNullOrEmpty(storage))
{
    Console.Error.WriteLine("Set AzureWebJobsStorage (e.g. UseDevelopmentStorage=true's full Azurite connection string) in the environment.");
    return 2;
}

// Log levels from the environment as in any .NET host (Logging__LogLevel__Microsoft.AspNetCore=Warning); the worker,
// which inherits the environment, filters its own logs the same way before it sends them here.
var logging = new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection("Logging");
using var loggerFactory = LoggerFactory.Create(builder => builder
    .SetMinimumLevel(LogLevel.Information)
    .AddConfiguration(logging)
    .AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; }));
using var stop = new CancellationTokenSource();
// Ctrl+C and SIGTERM (run-local's cleanup) stop the host cleanly: the worker is told to stop, then killed.
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

await using var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
{
    Worker = WorkerLauncher.Process(worker),
    StorageConnectionString = storage,
    HttpUrl = urls,
    HostJsonPath = hostJson,
    LoggerFactory = loggerFactory,
}, stop.Token);
Console.WriteLine($"Functions ({host.FunctionNames.Count}): {string.Join(", ", host.FunctionNames)}");
Console.WriteLine($"Serving {host.HttpAddress} (worker pid {host.WorkerProcessId}). Ctrl+C stops.");
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
return 0;
