using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Application.Scoring;
using NeuralFP.Azure;
using NeuralFP.Functions.Configuration;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Tests.Infrastructure;

/// <summary>The storage adapters as the app registers them (options bound from settings), on the shared Azurite, without the app.</summary>
public static class StorageServices
{
    public static IConfiguration Configuration(StorageNames names, params KeyValuePair<string, string?>[] settings)
        => Configuration([StorageNames.Setting(SettingNames.Storage, AzuriteServer.Instance.ConnectionString), .. names.Settings(), .. settings]);

    public static IConfiguration Configuration(IEnumerable<KeyValuePair<string, string?>> settings)
        => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    /// <summary>
    /// The adapters on a private Azurite (a test that stops, breaks or re-keys storage), with names of their own and one fast
    /// retry, so a refusal or an outage shows within the test's time; <paramref name="settings"/> are added last.
    /// </summary>
    public static ServiceProvider OnPrivateAzurite(AzuriteServer azurite, params KeyValuePair<string, string?>[] settings)
        => Create(Configuration([
            .. StorageNames.Unique().Settings(),
            StorageNames.Setting(SettingNames.Storage, azurite.ConnectionString),
            StorageNames.Setting(SettingNames.StorageMaxRetries, "1"),
            StorageNames.Setting(SettingNames.StorageRetryDelayMilliseconds, "50"),
            .. settings,
        ]));

    public static ServiceProvider Create(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddAppOptions(configuration);
        services.AddStorageAdapters();
        services.AddSingleton<ScorerCache>();
        services.AddSingleton<Application.Telemetry.ServiceTelemetry>();
        services.AddSingleton<Application.Jobs.FingerprintJob>();
        return services.BuildServiceProvider();
    }

    /// <summary>One options type as the app would bind and validate it from <paramref name="configuration"/>.</summary>
    public static T Options<T>(IConfiguration configuration) where T : class
    {
        var services = new ServiceCollection();
        services.AddAppOptions(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<T>>().Value;
    }
}
