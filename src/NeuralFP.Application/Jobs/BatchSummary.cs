namespace NeuralFP.Application.Jobs;

/// <summary>
/// What a scored batch came to; stored in its results document and put on the score-results queue, where
/// <see cref="Status"/> tells it from a <see cref="BatchRejection"/>.
/// </summary>
/// <param name="ResultsBlob">Where the per-record verdicts are: <c>container/{batchId}.json</c>.</param>
/// <param name="LayerFired">How many records fired at each layer.</param>
public sealed record BatchSummary(
    string BatchId,
    string ModelId,
    int ModelVersion,
    int Records,
    int OodRecords,
    double OodRate,
    double MeanScore,
    IReadOnlyDictionary<string, int> LayerFired,
    string ResultsBlob,
    string RequestSha256,
    DateTimeOffset CompletedAt)
{
    public const string ScoredStatus = "scored";

    public string Status => ScoredStatus;
}
