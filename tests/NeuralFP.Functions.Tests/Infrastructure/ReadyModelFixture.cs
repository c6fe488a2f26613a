using NeuralFP.Core.Tensors;
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
}
