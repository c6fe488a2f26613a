using NeuralFP.Application.Jobs;

namespace NeuralFP.Application.Ports;

/// <summary>
/// Where scored batches' summaries and rejected requests are announced besides the score-results queue (a Service Bus topic,
/// when configured). A refusal retrying will not fix is thrown as <see cref="Errors.StorageRejectedException"/>.
/// </summary>
public interface IBatchSummaryPublisher
{
    Task PublishAsync(BatchSummary summary, CancellationToken cancellationToken);

    /// <summary>Announces a request that was rejected for good (it is not retried).</summary>
    Task PublishAsync(BatchRejection rejection, CancellationToken cancellationToken);
}
