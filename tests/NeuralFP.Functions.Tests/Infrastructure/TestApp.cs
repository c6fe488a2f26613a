using System.Text;
using global::Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NeuralFP.Functions.Hosting;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Ports;
using NeuralFP.Azure.Configuration;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Tests.Infrastructure;

/// <summary>
/// The real app, hosted in-process on Kestrel at a random loopback port, against the shared Azurite with
/// its own storage names; standalone by default, so the local host drives the functions from storage.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestApp(WebApplication app, StorageNames names, CapturedLogs logs, Uri address)
    {
        _app = app;
        Names = names;
        Logs = logs;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public StorageNames Names { get; }
    public CapturedLogs Logs { get; }
    public Uri Address { get; }
    public HttpClient Http { get; }
    public IServiceProvider Services => _app.Services;
    public StorageClients Clients => Services.GetRequiredService<StorageClients>();
    public IModelRegistry Registry => Services.GetRequiredService<IModelRegistry>();

    /// <param name="configure">Runs after the test's settings and logging are in place (e.g. to attach in-memory exporters).</param>
    public static async Task<TestApp> StartAsync(bool standalone = true, IEnumerable<KeyValuePair<string, string?>>? settings = null, StorageNames? names = null, Action<WebApplicationBuilder>? configure = null)
    {
        names ??= StorageNames.Unique();
        var logs = new CapturedLogs();
        var all = new List<KeyValuePair<string, string?>>
        {
            StorageNames.Setting(SettingNames.Storage, AzuriteServer.Instance.ConnectionString),
            StorageNames.Setting(SettingNames.LocalHostPollMilliseconds, "100"),
            StorageNames.Setting(SettingNames.LocalHostMaxBackoffMilliseconds, "100"),
            StorageNames.Setting(SettingNames.RegistryCacheMilliseconds, "0"),
            StorageNames.Setting(SettingNames.StorageRetryDelayMilliseconds, "50"),
        };
        all.AddRange(names.Settings());
        if (settings is not null) all.AddRange(settings);
        var app = FunctionsApp.Build(standalone ? [FunctionsApp.StandaloneSwitch] : [], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            // Later entries win, so callers can override the defaults above.
            var merged = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in all) merged[key] = value;
            builder.Configuration.AddInMemoryCollection(merged);
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestApp(app, names, logs, new Uri(address.EndsWith('/') ? address : address + "/"));
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
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
