using NeuralFP.Core.Metrics;

namespace NeuralFP.Core.Tests.Metrics;

/// <summary>Agreement with scikit-learn 1.2.1 on a seeded case with many ties (500 scores, 403 distinct values).</summary>
public sealed class OodMetricsSklearnTests
{
    /*
     Expected values were computed once with Debian's /usr/bin/python3 (numpy 1.24.2, scikit-learn 1.2.1):

        import numpy as np
        from sklearn.metrics import roc_auc_score, average_precision_score, roc_curve
        s = 20240917
        def lcg():
            global s
            s = (s * 1103515245 + 12345) % 2**31
            return s
        ind = [(lcg() % 1000) / 100.0 for _ in range(300)]
        ood = [(lcg() % 1000) / 100.0 + 1.5 for _ in range(200)]
        y = np.r_[np.zeros(300), np.ones(200)]; sc = np.r_[ind, ood]
        fpr, tpr, _ = roc_curve(y, sc, drop_intermediate=False)
        print(repr(roc_auc_score(y, sc)), repr(average_precision_score(1 - y, -sc)), repr(average_precision_score(y, sc)), repr(fpr[tpr >= 0.95].min()))

     → 0.62585 0.7403402552250775 0.5621350495012147 0.79
    */
    [Fact]
    public void Matches_roc_auc_score_average_precision_score_and_roc_curve()
    {
        long state = 20240917;
        double Next() => (state = (state * 1103515245 + 12345) % 2147483648) % 1000 / 100.0;
        double[] inScores = [.. Enumerable.Range(0, 300).Select(_ => Next())];
        double[] outScores = [.. Enumerable.Range(0, 200).Select(_ => Next() + 1.5)];

        var result = OodMetrics.Compute(inScores, outScores);

        Assert.Equal(0.62585, result.Auroc, precision: 12);
        Assert.Equal(0.7403402552250775, result.AuprIn, precision: 12);
        Assert.Equal(0.5621350495012147, result.AuprOut, precision: 12);
        Assert.Equal(0.79, result.Fpr95, precision: 12);
    }
}
