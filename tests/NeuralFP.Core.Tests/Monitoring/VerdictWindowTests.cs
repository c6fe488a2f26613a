using NeuralFP.Core.Monitoring;

namespace NeuralFP.Core.Tests.Monitoring;

/// <summary>The window keeps the newest verdicts up to its capacity and counts the OOD ones among them.</summary>
public sealed class VerdictWindowTests
{
    [Fact]
    public void CountsGrowUntilTheWindowIsFull()
    {
        var window = new VerdictWindow(4);

        window.Add([true, false, true]);

        Assert.Equal(3, window.Count);
        Assert.Equal(2, window.OodCount);
        Assert.False(window.IsFull);
    }

    [Fact]
    public void OldestVerdictLeavesWhenANewOneArrivesInAFullWindow()
    {
        var window = new VerdictWindow(3);
        window.Add([true, false, false]);

        window.Add(false);

        Assert.Equal(3, window.Count);
        Assert.Equal(0, window.OodCount);
        Assert.Equal([false, false, false], window.ToArray());
    }

    [Fact]
    public void RunningCountEqualsARecountAfterManyWraps()
    {
        var random = new Random(7);
        var window = new VerdictWindow(37);
        var all = new List<bool>();

        for (int i = 0; i < 1000; i++)
        {
            bool outcome = random.NextDouble() < 0.3;
            all.Add(outcome);
            window.Add(outcome);

            var expected = all.TakeLast(37).ToArray();
            Assert.Equal(expected.Count(o => o), window.OodCount);
        }

        Assert.Equal(all.TakeLast(37), window.ToArray());
    }

    [Fact]
    public void ClearEmptiesTheWindow()
    {
        var window = new VerdictWindow(2);
        window.Add([true, true, true]);

        window.Clear();

        Assert.Equal(0, window.Count);
        Assert.Equal(0, window.OodCount);
        Assert.Empty(window.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void RejectsCapacityBelowOne(int capacity)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new VerdictWindow(capacity));
        Assert.Contains("at least 1", error.Message);
    }
}
