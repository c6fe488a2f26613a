using System.Reflection;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.LocalHost.Tests;

/// <summary>
/// The local host driving the real sample worker process against the shared Azurite, with storage names of its
/// own. The sample's functions leave records in <see cref="Records"/>.
/// </summary>
public sealed class SampleHost : IAsyncDisposable
{
    public static string WorkerDll { get; } = Path.GetFullPath(typeof(SampleHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SampleWorkerDll").Value!);

    private SampleHost(LocalFunctionsHost host, string prefix, string storage)
    {
        Host = host;
        Prefix = prefix;
        Uploads = new BlobContainerClient(storage, prefix + "-uploads");
        Records = new BlobContainerClient(storage, prefix + "-records");
        Input = new QueueClient(storage, prefix + "-input");
        Output = new QueueClient(storage, prefix + "-output");
        InputPoison = new QueueClient(storage, prefix + "-input-poison");
        BlobPoison = new QueueClient(storage, "webjobs-blobtrigger-poison");
        Http = new HttpClient { BaseAddress = host.HttpAddress };
    }

    public LocalFunctionsHost Host { get; }
    public string Prefix { get; }
    public BlobContainerClient Uploads { get; }
    public BlobContainerClient Records { get; }
    public QueueClient Input { get; }
    public QueueClient Output { get; }
    public QueueClient InputPoison { get; }
    public QueueClient BlobPoison { get; }
    public HttpClient Http { get; }

    /// <param name="storage">An Azurite of the test's own (one it stops, say); the shared one when null.</param>
    public static async Task<SampleHost> StartAsync(string tickSchedule = "0 0 0 1 1 *", WorkerLauncher? launcher = null, ILoggerFactory? logs = null, string? storage = null)
    {
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        storage ??= AzuriteServer.Instance.ConnectionString;
        var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
        {
            Worker = launcher ?? WorkerLauncher.Process(WorkerDll),
            StorageConnectionString = storage,
            WorkerSettings = new Dictionary<string, string?>
            {
                ["Sample:UploadsContainer"] = prefix + "-uploads",
                ["Sample:RecordsContainer"] = prefix + "-records",
                ["Sample:InputQueue"] = prefix + "-input",
                ["Sample:OutputQueue"] = prefix + "-output",
                ["Sample:TickSchedule"] = tickSchedule,
            },
            BlobPollInterval = TimeSpan.FromMilliseconds(200),
            QueuePollInterval = TimeSpan.FromMilliseconds(200),
            LoggerFactory = logs ?? DebugLogs,
        });
        var sample = new SampleHost(host, prefix, storage);
        await sample.Uploads.CreateIfNotExistsAsync();
        await sample.Records.CreateIfNotExistsAsync();
        await sample.Input.CreateIfNotExistsAsync();
        await sample.Output.CreateIfNotExistsAsync();
        return sample;
    }

    /// <summary>Set NFP_LOCALHOST_TEST_LOGS=1 to see the host's and the worker's log on the console.</summary>
    private static readonly ILoggerFactory? DebugLogs = Environment.GetEnvironmentVariable("NFP_LOCALHOST_TEST_LOGS") == "1"
        ? LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }).SetMinimumLevel(LogLevel.Debug))
        : null;

    /// <summary>The records under a prefix (one per invocation), with their content.</summary>
    public async Task<IReadOnlyList<(string Name, string Content)>> RecordsAsync(string prefix)
    {
        var records = new List<(string, string)>();
        await foreach (var blob in Records.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = prefix }))
            records.Add((blob.Name, (await Records.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString()));
        return records;
    }

    /// <summary>Sends text the way the Functions host expects it (base64, host.json messageEncoding).</summary>
    public Task SendAsync(string text) => Input.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)));

    public static async Task<IReadOnlyList<string>> PeekTextsAsync(QueueClient queue)
    {
        if (!(await queue.ExistsAsync()).Value) return [];
        PeekedMessage[] messages = (await queue.PeekMessagesAsync(32)).Value;
        return messages.Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.MessageText))).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        foreach (var container in new[] { Uploads, Records }) await container.DeleteIfExistsAsync();
        foreach (var queue in new[] { Input, Output, InputPoison }) await queue.DeleteIfExistsAsync();
    }
}

/// <summary>One sample host shared by the tests of a class.</summary>
public sealed class SampleHostFixture : IAsyncLifetime
{
    public SampleHost Sample { get; private set; } = null!;

    public async Task InitializeAsync() => Sample = await SampleHost.StartAsync();

    public async Task DisposeAsync() => await Sample.DisposeAsync();
}
