using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Faults;

/// <summary>A fault test with an Azurite of its own (which it may stop and start) and the app on it, with fast recovery settings.</summary>
public abstract class PrivateStorageFaultTest : IAsyncLifetime
{
    protected AzuriteServer Azurite { get; private set; } = null!;

    protected TestApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Azurite = AzuriteServer.StartPrivate();
        App = await TestApp.StartAsync(settings: FaultRun.FastRecovery(Azurite.ConnectionString));
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        Azurite.Dispose();
    }
}
