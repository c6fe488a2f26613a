using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>The per-record paths allocate nothing, so scoring a batch costs no garbage per record.</summary>
public sealed class OneOutRuleAllocationTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void IsOod_and_Score_allocate_nothing(bool twoSided)
    {
        float[][] errors = SyntheticErrors.Generate(seed: 40, records: 1000);
        var rule = OneOutRule.Calibrate(SyntheticErrors.Layers, errors, 0.05, twoSided);
        float[][] records = [.. Enumerable.Range(0, 1000).Select(r => SyntheticErrors.Record(errors, r))];
        records[0] = [float.NaN, 0f, float.MaxValue];
        Run(rule, records); // JIT and tiering first

        long before = GC.GetAllocatedBytesForCurrentThread();
        double sink = Run(rule, records);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(double.IsFinite(sink));
    }

    private static double Run(OneOutRule rule, float[][] records)
    {
        double sum = 0;
        foreach (float[] record in records)
            sum += rule.Score(record) + (rule.IsOod(record) ? 1 : 0);
        return sum;
    }
}
