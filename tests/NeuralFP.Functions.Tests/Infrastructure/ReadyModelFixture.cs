using NeuralFP.Core.Tensors;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Tests.Infrastructure;

/// <summary>An app (standalone, with its local host) holding one ready CNN fingerprint, shared by a test class.</summary>
public sealed class ReadyModelFixture : IAsyncLifetime
{
    public const string ModelId = "cnn";

    public TestApp App { get; private set; } = null!;
    public FloatTensor Reference { get; } = TestModels.Reference();
    public ModelRecord Ready { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await TestApp.StartAsync(settings: [StorageNames.Setting(NeuralFP.Functions.Hosting.SettingNames.MaxRecordsPerRequest, "64")]);
        await TestModels.UploadAsync(App, ModelId, TestModels.Cnn, Reference);
        Ready = await App.WaitForStatusAsync(ModelId, ModelStatus.Ready);
    }

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>A ready model named <paramref name="modelId"/> serving a copy of this fixture's fingerprint as <paramref name="version"/>.</summary>
    public async Task PublishCopyAsync(string modelId, int version)
    {
        var fingerprints = App.Services.GetRequiredService<IFingerprintStore>();
        var files = await fingerprints.ReadAsync(ModelId, Ready.CurrentVersion!.Value, CancellationToken.None);
        await fingerprints.WriteAsync(modelId, version, files, CancellationToken.None);
        while (true)
        {
            var row = await App.Registry.GetOrAddAsync(modelId, CancellationToken.None);
            var ready = row.AsReady() with { CurrentVersion = version, LatestVersion = version, CurrentHashes = Ready.CurrentHashes, InputShape = Ready.InputShape, Layers = Ready.Layers, Calibration = Ready.Calibration };
            if (await App.Registry.TryUpdateAsync(ready, CancellationToken.None) is not null) return;
        }
    }
}
