using System.Text.Json;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.LocalHost.Tests;

public sealed class TimerTests
{
    [Fact]
    public async Task A_timer_fires_on_demand_with_its_next_occurrence()
    {
        await using var sample = await SampleHost.StartAsync(tickSchedule: "0 0 0 1 1 *"); // once a year: never during the test

        await sample.Host.InvokeTimerAsync("Tick");

        var tick = JsonDocument.Parse(Assert.Single(await sample.RecordsAsync("ticks/")).Content).RootElement;
        Assert.False(tick.GetProperty("IsPastDue").GetBoolean());
        var next = tick.GetProperty("next").GetDateTime();
        Assert.Equal((1, 1, 0, 0, 0), (next.Month, next.Day, next.Hour, next.Minute, next.Second));
        await Assert.ThrowsAsync<ArgumentException>(() => sample.Host.InvokeTimerAsync("Echo"));
    }

    [Fact]
    public async Task A_timer_fires_on_its_schedule()
    {
        await using var sample = await SampleHost.StartAsync(tickSchedule: "*/1 * * * * *");

        await Eventually.UntilAsync(async () => (await sample.RecordsAsync("ticks/")).Count >= 3, "three scheduled ticks");
    }
}
