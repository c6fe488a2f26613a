using Microsoft.Azure.Functions.Worker.Builder;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Telemetry;
using NeuralFP.Functions.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace NeuralFP.Functions.Tests.Telemetry;

/// <summary>
/// The OpenTelemetry pipeline is built only when something receives its signals (an exporter, or the setting that asks for
/// it); a malformed setting stops the worker at start, naming it.
/// </summary>
public sealed class TelemetrySetupTests
{
    private static FunctionsApplicationBuilder Builder(params (string Setting, string Value)[] settings)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(settings.Select(s => StorageNames.Setting(s.Setting, s.Value)));
        return builder;
    }

    private static bool HasTracing(FunctionsApplicationBuilder builder) => builder.Services.Any(s => s.ServiceType == typeof(TracerProvider));

    [Fact]
    public void Without_an_exporter_no_pipeline_is_built()
    {
        var builder = Builder();
        TelemetrySetup.Add(builder);
        Assert.False(HasTracing(builder));
    }

    [Theory]
    [InlineData(SettingNames.TelemetryWithoutExporter, "true")]
    [InlineData(SettingNames.OtlpEndpoint, "http://127.0.0.1:4317")]
    public void An_exporter_or_the_setting_builds_it(string setting, string value)
    {
        var builder = Builder((setting, value));
        TelemetrySetup.Add(builder);
        Assert.True(HasTracing(builder));
    }

    [Fact]
    public void A_malformed_setting_names_itself()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TelemetrySetup.Add(Builder((SettingNames.TelemetryWithoutExporter, "yes"))));
        Assert.Contains(SettingNames.TelemetryWithoutExporter, error.Message, StringComparison.Ordinal);
    }
}
