using NeuralFP.Application.Jobs;

namespace NeuralFP.Application.Ports;

/// <summary>Where scored batches' summaries are announced besides the score-results queue (a Service Bus topic, when configured).</summary>
public interface IBatchSummaryPublisher
{
    Task PublishAsync(BatchSummary summary, CancellationToken cancellationToken);
}
