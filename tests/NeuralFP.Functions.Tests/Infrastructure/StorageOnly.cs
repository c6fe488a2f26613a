using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Functions.Tests.Infrastructure;

/// <summary>
/// The app's adapters and use cases on the shared Azurite without the app: for tests that run the fingerprint job
/// themselves and must see every state, with no blob trigger racing them.
/// </summary>
public sealed class StorageOnly : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private StorageOnly(ServiceProvider services) => _services = services;

    public IServiceProvider Services => _services;
    public IModelRegistry Registry => _services.GetRequiredService<IModelRegistry>();

    public static async Task<StorageOnly> StartAsync(IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var services = StorageServices.Create(StorageServices.Configuration(StorageNames.Unique(), [.. settings ?? []]));
        await services.GetRequiredService<StorageClients>().EnsureCreatedAsync(services.GetRequiredService<StorageResilience>(), CancellationToken.None);
        return new StorageOnly(services);
    }

    public Task UploadAsync(string modelId, string fileName, byte[] content)
        => _services.GetRequiredService<IModelFileStore>().UploadAsync(modelId, fileName, content, CancellationToken.None);

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
