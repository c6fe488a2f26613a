using System.Text;
using global::Azure.Storage.Queues;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;
using NeuralFP.Functions.Hosting;
using NeuralFP.LocalHost;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Tests.Infrastructure;

/// <summary>
/// The real function app: the built NeuralFP.Functions worker, started as its own process by the local Functions host
/// (or, for tests that attach in-memory exporters, run in this process), against the shared Azurite with its own
/// storage names. Tests reach storage through the same adapters the app uses (<see cref="Services"/>).
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly LocalFunctionsHost _host;
    private readonly ServiceProvider _services;
    private readonly string _hostJson;

    private TestApp(LocalFunctionsHost host, ServiceProvider services, StorageNames names, CapturedLogs logs, string hostJson, WorkerServices? worker)
    {
        _host = host;
        _services = services;
        _hostJson = hostJson;
        Names = names;
        Logs = logs;
        Worker = worker;
        Address = host.HttpAddress;
        Http = NewHttpClient();
    }

#if CONTRACT_CHECK
    /// <summary>A client of the app whose every response is checked against the OpenAPI document (<see cref="ContractCheck"/>).</summary>
    public HttpClient NewHttpClient() => new(new ContractCheck()) { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
#else
    /// <summary>A client of the app (the benchmarks, which link this file, measure without the contract check).</summary>
    public HttpClient NewHttpClient() => new() { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
#endif

    /// <summary>The worker assembly the tests run: the Functions project's build output of the same configuration as the tests.</summary>
    public static string WorkerDll => Path.Combine(RepoPaths.Root, "src", "NeuralFP.Functions", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release",
        "net10.0", "NeuralFP.Functions.dll");

    /// <summary>The sweep schedule the templates and run-local set.</summary>
    public const string DefaultSweepSchedule = "*/30 * * * * *";

    public StorageNames Names { get; }
    public CapturedLogs Logs { get; }
    public Uri Address { get; }
    public HttpClient Http { get; }
    public LocalFunctionsHost Host => _host;

    /// <summary>The test's own storage services (the app's adapters and options, bound from the same settings).</summary>
    public IServiceProvider Services => _services;

    /// <summary>The worker's services when it runs in this process (<c>configure</c> given); null for a worker process.</summary>
    public WorkerServices? Worker { get; }

    public StorageClients Clients => Services.GetRequiredService<StorageClients>();
    public IModelRegistry Registry => Services.GetRequiredService<IModelRegistry>();

    /// <param name="settings">App settings (configuration keys, as <see cref="StorageNames.Setting"/> makes them); later ones win.</param>
    /// <param name="configure">Runs the worker in this process and lets the test change its builder (e.g. attach in-memory exporters).</param>
    /// <param name="blobPollInterval">How often the host looks for uploads, which also paces its back-off (default 100 ms).</param>
    /// <param name="workerDll">Another build of the worker (benchmarks: an earlier commit beside this one); default <see cref="WorkerDll"/>.</param>
    public static async Task<TestApp> StartAsync(IEnumerable<KeyValuePair<string, string?>>? settings = null, StorageNames? names = null, Action<FunctionsApplicationBuilder>? configure = null,
        TimeSpan? blobPollInterval = null, string? workerDll = null)
    {
        workerDll ??= WorkerDll;
        names ??= StorageNames.Unique();
        var logs = new CapturedLogs();
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in (IEnumerable<KeyValuePair<string, string?>>)
        [
            StorageNames.Setting(SettingNames.Storage, AzuriteServer.Instance.ConnectionString),
            StorageNames.Setting(SettingNames.RegistryCacheMilliseconds, "0"),
            StorageNames.Setting(SettingNames.StorageRetryDelayMilliseconds, "50"),
            // The sweep timer's attribute names this setting; the deployed default (a test may set a faster one).
            StorageNames.Setting(SettingNames.SweepSchedule, DefaultSweepSchedule),
            .. names.Settings(),
            .. settings ?? [],
        ])
            all[key] = value;

        var services = StorageServices.Create(StorageServices.Configuration(all));
        // The worker creates them too when it starts; the test may upload before that.
        await services.GetRequiredService<StorageClients>().EnsureCreatedAsync(services.GetRequiredService<StorageResilience>(), CancellationToken.None);

        var hostJson = FastHostJson(workerDll);
        WorkerServices? worker = configure is null ? null : new WorkerServices();
        // In this process the blob extension reads its connection (AzureWebJobsStorage) from the environment, as a
        // worker process inherits it from the host. Every test app shares the one Azurite, so one value serves all.
        if (configure is not null) Environment.SetEnvironmentVariable(SettingNames.Storage, AzuriteServer.Instance.ConnectionString);
        var launcher = configure is null
            ? WorkerLauncher.Process(workerDll)
            : WorkerLauncher.InProcess((args, workerSettings, ct) => Program.RunAsync(args, workerSettings, builder =>
            {
                builder.Services.AddHostedService(sp => worker!.Capture(sp));
                configure(builder);
            }, ct), Path.GetDirectoryName(WorkerDll));
        var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        try
        {
            var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
            {
                Worker = launcher,
                // The host's own triggers (blob events, queues) read the storage the app does, e.g. a test's private Azurite.
                StorageConnectionString = all[SettingNames.Storage]!,
                HostJsonPath = hostJson,
                // As app settings (environment variables): NeuralFP__X; the worker's configuration reads them as NeuralFP:X.
                WorkerSettings = all.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value),
                BlobPollInterval = blobPollInterval ?? TimeSpan.FromMilliseconds(100),
                QueuePollInterval = TimeSpan.FromMilliseconds(100),
                LoggerFactory = loggers,
            });
            return new TestApp(host, services, names, logs, hostJson, worker);
        }
        catch (Exception e)
        {
            File.Delete(hostJson);
            await services.DisposeAsync();
            // The worker's own output (stdout, stderr, its logs) says why it did not start.
            throw new InvalidOperationException($"The app did not start: {e.Message}{Environment.NewLine}" +
                string.Join(Environment.NewLine, logs.Entries.TakeLast(40).Select(l => $"{l.Level} {l.Category}: {l.Message}")), e);
        }
    }

    /// <summary>The app's host.json with short queue timings, so retries and poison queues take seconds, not minutes.</summary>
    private static string FastHostJson(string workerDll)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(workerDll)!, "host.json")))!;
        var queues = json["extensions"]!["queues"]!;
        queues["visibilityTimeout"] = "00:00:00.100";
        queues["maxPollingInterval"] = "00:00:00.200";
        var path = Path.Combine(Path.GetTempPath(), $"neuralfp-host-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    public Task UploadAsync(string modelId, string fileName, byte[] content)
        => Services.GetRequiredService<IModelFileStore>().UploadAsync(modelId, fileName, content, CancellationToken.None);

    /// <summary>Waits until the model's row shows <paramref name="status"/>.</summary>
    public Task<ModelRecord> WaitForStatusAsync(string modelId, ModelStatus status, Func<ModelRecord, bool>? and = null)
        => Eventually.WaitAsync(async () =>
        {
            var record = await Registry.GetAsync(modelId, CancellationToken.None);
            return record is not null && record.Status == status && (and?.Invoke(record) ?? true) ? record : null;
        }, $"model {modelId} to be {status}");

    /// <summary>Puts a message on a queue as a producer would for the Functions host: base64-encoded text.</summary>
    public async Task SendAsync(QueueClient queue, string text)
    {
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Every message now on a queue, decoded, without removing them.</summary>
    public static async Task<IReadOnlyList<string>> PeekAllAsync(QueueClient queue)
    {
        if (!await queue.ExistsAsync()) return [];
        var messages = await queue.PeekMessagesAsync(32);
        return messages.Value.Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.MessageText))).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
#if CONTRACT_CHECK
        ContractCheck.WriteCoverage();
#endif
        await _host.DisposeAsync(); // stops the worker process and the host's listeners
        // A worker a fault test killed mid-build leaves its reference copy for the next download to remove; when the app
        // ends before another download (the last build of a run was the killed one), remove it here as that download would.
        NeuralFP.Azure.Blobs.BlobDownloader.RemoveFilesOfDeadProcesses();
        await _services.DisposeAsync();
        File.Delete(_hostJson);
        // The host's and the worker's log lines, beside the test output, for the test that failed.
        var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "app-logs")).FullName;
        await File.WriteAllLinesAsync(Path.Combine(folder, Names.Prefix + ".log"), Logs.Entries.Select(l => $"{l.Level} {l.Category}: {l.Message}"));
    }
}

/// <summary>The in-process worker's service provider, captured when it starts.</summary>
public sealed class WorkerServices
{
    private IServiceProvider? _provider;

    public IServiceProvider Provider => _provider ?? throw new InvalidOperationException("The worker has not started.");

    // A concrete type: the host registers hosted services by implementation type.
    internal Captured Capture(IServiceProvider provider)
    {
        _provider = provider;
        return new Captured();
    }

    internal sealed class Captured : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
