using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Hosting;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Tests.Drift;

/// <summary>
/// An app whose drift window holds <see cref="WindowSize"/> verdicts, written behind the requests as deployed (a drift read
/// writes what the instance holds first, so a test sees each request's effect at once), with two ready CNN fingerprints: one for the shifting stream, one for the
/// count checks.
/// </summary>
public sealed class DriftFixture : IAsyncLifetime
{
    public const int WindowSize = 200;
    public const double Alpha = 0.001;
    public const int MinimumRecords = 50;
    public const string StreamModel = "stream";
    public const string SteadyModel = "steady";

    public TestApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await TestApp.StartAsync(settings:
        [
            StorageNames.Setting(SettingNames.DriftWindowSize, WindowSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            StorageNames.Setting(SettingNames.DriftAlpha, Alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            StorageNames.Setting(SettingNames.DriftMinimumRecords, MinimumRecords.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ]);
        var reference = TestModels.Reference();
        await TestModels.UploadAsync(App, StreamModel, TestModels.Cnn, reference);
        await TestModels.UploadAsync(App, SteadyModel, TestModels.Cnn, reference);
        await App.WaitForStatusAsync(StreamModel, ModelStatus.Ready);
        await App.WaitForStatusAsync(SteadyModel, ModelStatus.Ready);
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}
