namespace NeuralFP.Application.Errors;

/// <summary>A batch id was reused for a different request; its first result stands and is not overwritten.</summary>
public sealed class BatchConflictException(string batchId, string resultsBlob)
    : Exception($"Batch '{batchId}' already has results ({resultsBlob}) from a different request; use a new batchId for new records.")
{
    public string BatchId { get; } = batchId;
}
