namespace NeuralFP.Application.Ports;

/// <summary>
/// Batch results, <c>results/{batchId}.json</c>. Written once (create-only), tagged with the hash of the request,
/// so a redelivered message finds its earlier result and a reused batch id cannot overwrite it.
/// </summary>
public interface IResultsStore
{
    /// <summary>Where a batch's result is: <c>container/{batchId}.json</c>.</summary>
    string PathOf(string batchId);

    /// <summary>Writes the result unless one exists; false when a result for the batch was already there.</summary>
    Task<bool> TryCreateAsync(string batchId, byte[] json, string requestSha256, CancellationToken cancellationToken);

    Task<StoredResult?> GetAsync(string batchId, CancellationToken cancellationToken);
}
