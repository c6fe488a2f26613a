using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuralFP.Application.Configuration;
using NeuralFP.Functions.Configuration;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Tests.Configuration;

/// <summary>Options are checked when the app starts, and the error names the setting to fix.</summary>
public sealed class OptionsValidationTests
{
    private static IConfiguration Config(params (string Setting, string Value)[] settings)
        => new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => StorageNames.Setting(s.Setting, s.Value))).Build();

    [Fact]
    public void Defaults_follow_the_documented_storage_layout()
    {
        var options = StorageServices.Options<StorageOptions>(Config());
        Assert.Equal(("models", "fingerprints", "results", "models", "score-requests", "score-results", "score-requests-poison"),
            (options.ModelsContainer, options.FingerprintsContainer, options.ResultsContainer, options.RegistryTable, options.ScoreRequestsQueue, options.ScoreResultsQueue, options.ScoreRequestsPoisonQueue));
    }

    [Fact]
    public void Drift_defaults_follow_the_documented_layout_and_test()
    {
        var options = StorageServices.Options<StorageOptions>(Config());
        var drift = StorageServices.Options<ServiceOptions>(Config()).Drift;
        Assert.Equal(("drift", "ood-alerts", 500, 0.001, 50, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)),
            (options.DriftTable, options.AlertsQueue, drift.WindowSize, drift.Alpha, drift.MinimumRecords, drift.FlushInterval, drift.ShutdownFlushTimeout));
        var written = StorageServices.Options<ServiceOptions>(Config((SettingNames.DriftFlushMilliseconds, "0"), (SettingNames.DriftShutdownFlushMilliseconds, "2000"))).Drift;
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromSeconds(2)), (written.FlushInterval, written.ShutdownFlushTimeout));
    }

    [Fact]
    public void A_small_drift_window_lowers_the_default_minimum_to_fit()
        => Assert.Equal(20, StorageServices.Options<ServiceOptions>(Config((SettingNames.DriftWindowSize, "20"))).Drift.MinimumRecords);

    [Theory]
    [InlineData(SettingNames.DriftWindowSize, "0")]
    [InlineData(SettingNames.DriftWindowSize, "1000000")]
    [InlineData(SettingNames.DriftAlpha, "1.5")]
    [InlineData(SettingNames.DriftMinimumRecords, "501")]
    [InlineData(SettingNames.DriftFlushMilliseconds, "-1")]
    [InlineData(SettingNames.DriftFlushMilliseconds, "300001")]
    [InlineData(SettingNames.DriftShutdownFlushMilliseconds, "0")]
    [InlineData(SettingNames.DriftShutdownFlushMilliseconds, "60001")]
    public void Drift_settings_out_of_range_name_their_setting(string setting, string value)
    {
        var error = Assert.ThrowsAny<OptionsValidationException>(() => StorageServices.Options<ServiceOptions>(Config((setting, value))));
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Preloading_is_off_by_default_and_reads_a_list_of_model_ids_or_a_star()
    {
        Assert.Empty(StorageServices.Options<ServiceOptions>(Config()).PreloadModels);
        Assert.Equal(["cnn", "tabular.v2"], StorageServices.Options<ServiceOptions>(Config((SettingNames.PreloadModels, " cnn, tabular.v2 ,"))).PreloadModels);
        Assert.Equal([ServiceOptions.PreloadEveryModel], StorageServices.Options<ServiceOptions>(Config((SettingNames.PreloadModels, "*"))).PreloadModels);
    }

    [Theory]
    [InlineData("cnn,../secrets")]
    [InlineData("-starts-with-a-dash")]
    public void A_preload_list_with_a_bad_model_id_names_the_setting_and_the_id(string value)
    {
        var error = Assert.ThrowsAny<OptionsValidationException>(() => StorageServices.Options<ServiceOptions>(Config((SettingNames.PreloadModels, value))));
        Assert.Contains(SettingNames.PreloadModels, error.Message, StringComparison.Ordinal);
        Assert.Contains(value.Split(',')[^1], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_preload_list_longer_than_the_limit_is_refused()
    {
        var error = Assert.ThrowsAny<OptionsValidationException>(() => StorageServices.Options<ServiceOptions>(
            Config((SettingNames.PreloadModels, string.Join(',', Enumerable.Range(0, ServiceOptions.MaxPreloadModels + 1).Select(i => $"m{i}"))))));
        Assert.Contains(SettingNames.PreloadModels, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_inline_small_batch_session_is_on_for_up_to_8_records_by_default_and_0_turns_it_off()
    {
        Assert.Equal(8, StorageServices.Options<ServiceOptions>(Config()).InlineBatchRecords);
        Assert.Equal(0, StorageServices.Options<ServiceOptions>(Config((SettingNames.InlineBatchRecords, "0"))).InlineBatchRecords);
        Assert.Equal(16, StorageServices.Options<ServiceOptions>(Config((SettingNames.InlineBatchRecords, "16"))).InlineBatchRecords);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1025")]
    public void An_inline_batch_limit_out_of_range_names_its_setting(string value)
    {
        var error = Assert.ThrowsAny<OptionsValidationException>(() => StorageServices.Options<ServiceOptions>(Config((SettingNames.InlineBatchRecords, value))));
        Assert.Contains(SettingNames.InlineBatchRecords, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_numeric_alpha_names_its_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageServices.Options<ServiceOptions>(Config((SettingNames.DriftAlpha, "1e-3x"))));
        Assert.Contains(SettingNames.DriftAlpha, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SettingNames.ModelsContainer, "Models")]
    [InlineData(SettingNames.ResultsContainer, "ab")]
    [InlineData(SettingNames.ScoreRequestsQueue, "score--requests")]
    [InlineData(SettingNames.RegistryTable, "my-table")]
    [InlineData(SettingNames.FingerprintsContainer, "models")]
    [InlineData(SettingNames.AlertsQueue, "score-results")]
    [InlineData(SettingNames.DriftTable, "models")]
    [InlineData(SettingNames.DriftTable, "drift-table")]
    public void Invalid_names_are_refused_up_front(string setting, string value)
        => Assert.ThrowsAny<OptionsValidationException>(() => StorageServices.Options<StorageOptions>(Config((setting, value))));

    [Fact]
    public void A_non_numeric_limit_names_its_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageServices.Options<ApiOptions>(Config((SettingNames.MaxRequestBytes, "lots"))));
        Assert.Contains(SettingNames.MaxRequestBytes, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_function_key_is_refused()
    {
        var error = Assert.Throws<OptionsValidationException>(() => StorageServices.Options<ApiOptions>(Config((SettingNames.FunctionKey, "short"))));
        Assert.Contains(SettingNames.FunctionKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_storage_settings_name_both_ways_to_configure()
    {
        var error = Assert.Throws<OptionsValidationException>(() => StorageServices.Options<StorageAccount>(Config()));
        Assert.Contains(SettingNames.Storage, error.Message, StringComparison.Ordinal);
        Assert.Contains(SettingNames.StorageBlobServiceUri, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_based_uris_build_clients_without_a_connection_string()
    {
        using var services = StorageServices.Create(Config(
            (SettingNames.StorageBlobServiceUri, "https://acct.blob.core.windows.net"),
            (SettingNames.StorageQueueServiceUri, "https://acct.queue.core.windows.net"),
            (SettingNames.StorageTableServiceUri, "https://acct.table.core.windows.net"),
            (SettingNames.StorageCredential, "managedidentity"),
            (SettingNames.StorageClientId, "00000000-0000-0000-0000-000000000001")));
        var clients = services.GetRequiredService<StorageClients>();
        Assert.Equal("https://acct.blob.core.windows.net/models", clients.Models.Uri.ToString());
        Assert.Equal("acct", clients.Blobs.AccountName);
    }
}
