namespace NeuralFP.Core.Metrics;

/// <summary>Distinct scores in ascending order, with how many ID and OOD records have each.</summary>
internal sealed class TieBlocks
{
    private TieBlocks(int[] inCounts, int[] outCounts, int count)
    {
        In = inCounts;
        Out = outCounts;
        Count = count;
    }

    /// <summary>ID records per block; only the first <see cref="Count"/> entries are used.</summary>
    public int[] In { get; }

    /// <summary>OOD records per block; only the first <see cref="Count"/> entries are used.</summary>
    public int[] Out { get; }

    public int Count { get; }

    public static TieBlocks Build(ReadOnlySpan<double> inScores, ReadOnlySpan<double> outScores)
    {
        int n = inScores.Length + outScores.Length;
        var scores = new double[n];
        var isOut = new bool[n];
        inScores.CopyTo(scores);
        outScores.CopyTo(scores.AsSpan(inScores.Length));
        isOut.AsSpan(inScores.Length).Fill(true);
        Array.Sort(scores, isOut);

        var inCounts = new int[n];
        var outCounts = new int[n];
        int blocks = 0;
        for (int i = 0; i < n; i++)
        {
            if (i > 0 && scores[i] != scores[i - 1]) blocks++;
            if (isOut[i]) outCounts[blocks]++;
            else inCounts[blocks]++;
        }
        return new TieBlocks(inCounts, outCounts, blocks + 1);
    }
}
