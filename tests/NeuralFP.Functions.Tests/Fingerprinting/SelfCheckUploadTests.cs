using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Registry;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Tests.Fingerprinting;

/// <summary>
/// The build's self-check through the real worker, on the held-out digits table (tools/build_holdout.py) without its
/// marginal surprise, where one statistic alone sees feature noise better than the fingerprint: the model view names it
/// and the worker logs it.
/// </summary>
public sealed class SelfCheckUploadTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_statistic_that_sees_a_shift_better_than_the_fingerprint_is_named_in_the_view_and_the_worker_log()
    {
        // The options of items 20–21 on seed 1 (no marginal surprise, which sees feature noise on this table at 1.000 and
        // leaves nothing to dilute; statistics selected by the response shifts; every error folded): `nfp fingerprint
        // --seed 1 --input-marginal-bins 0 --statistic-response-bar 0.75 --fold-input-error-at-median true` reports the
        // same dilution (README, "Self-check at build").
        await _app.UploadAsync("digits-table", ModelFiles.Options, Encoding.UTF8.GetBytes("{\"seed\": 1, \"inputMarginalBins\": 0, \"statisticResponseBar\": 0.75, \"foldInputErrorAtMedian\": true}"));
        await _app.UploadAsync("digits-table", ModelFiles.Model, File.ReadAllBytes(RepoPaths.Model("holdout/digits_table.onnx")));
        await _app.UploadAsync("digits-table", ModelFiles.Reference, TestModels.Npy(Digits.Table(test: false).Images));
        await _app.WaitForStatusAsync("digits-table", ModelStatus.Ready);

        var view = await _app.Http.GetFromJsonAsync<JsonElement>("api/models/digits-table");
        var shift = view.GetProperty("selfCheck").GetProperty("shifts").EnumerateArray().Single();
        var best = shift.GetProperty("statistics")[0];

        Assert.Equal("feature noise", shift.GetProperty("shift").GetString());
        Assert.Equal("input variation", best.GetProperty("statistic").GetString());
        Assert.True(best.GetProperty("auroc").GetDouble() >= shift.GetProperty("auroc").GetDouble() + 0.03);
        await Eventually.UntilAsync(() => Task.FromResult(_app.Logs.Contains(LogLevel.Information, "Model digits-table", "On feature noise, the statistic input variation alone", "dilute")),
            "the worker to log the dilution");

        // The view also says how the verdict joins the statistics and which it leaves out, with why: the hidden layers'
        // errors, which the build's response shifts barely move on this table.
        var integration = view.GetProperty("integration");
        Assert.Equal("neighbours-per-class", integration.GetProperty("kind").GetString());
        var leftOut = integration.GetProperty("leftOut").EnumerateArray().ToArray();
        Assert.Contains(leftOut, e => e.GetProperty("layer").GetString() == "/net/net.1/Relu_output_0" && e.GetProperty("reason").GetString()!.Contains("response shifts barely move it"));
        Assert.DoesNotContain(leftOut, e => e.GetProperty("layer").GetString() == "input variation");
    }
}
