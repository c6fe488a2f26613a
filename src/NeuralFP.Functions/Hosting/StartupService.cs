namespace NeuralFP.Functions.Hosting;

/// <summary>Creates storage resources once the app starts (see <see cref="StorageInitializer"/>).</summary>
internal sealed class StartupService(StorageInitializer initializer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => initializer.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
