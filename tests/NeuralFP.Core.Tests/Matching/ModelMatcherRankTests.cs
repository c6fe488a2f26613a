using NeuralFP.Core.Matching;

namespace NeuralFP.Core.Tests.Matching;

/// <summary>Ranking: best score first, ties by model id, ranks from 1.</summary>
public sealed class ModelMatcherRankTests
{
    [Fact]
    public void Orders_by_descending_score_then_model_id()
    {
        MatchResult[] results = [Result("c", 0.4), Result("b", 0.9), Result("z", 0.4), Result("a", 0.4), Result("d", 0.95)];

        var ranked = ModelMatcher.Rank(results);

        Assert.Equal(["d", "b", "a", "c", "z"], ranked.Select(r => r.ModelId));
        Assert.Equal([1, 2, 3, 4, 5], ranked.Select(r => r.Rank));
        Assert.Equal(0.95, ranked[0].Score);
    }

    [Fact]
    public void Model_id_ties_are_ordinal_so_ranking_does_not_depend_on_culture()
    {
        var ranked = ModelMatcher.Rank([Result("b", 0.5), Result("B", 0.5), Result("a", 0.5)]);

        Assert.Equal(["B", "a", "b"], ranked.Select(r => r.ModelId));
    }

    [Fact]
    public void Ranking_nothing_gives_nothing()
    {
        Assert.Empty(ModelMatcher.Rank([]));
    }

    private static MatchResult Result(string id, double score) =>
        new(id, score, score, 0, new Dictionary<string, double>(), Rank: 0);
}
