using Microsoft.Azure.Functions.Worker;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Monitoring;

namespace NeuralFP.Functions.Functions;

/// <summary>Every five minutes: queue depth and oldest-message age of the service's queues and poison queues, for the queue gauges.</summary>
public sealed class QueueGaugesFunction(QueueDepthReader queues)
{
    [Function(FunctionNames.QueueGauges)]
    public Task RunAsync([TimerTrigger(FunctionNames.QueueGaugesSchedule)] TimerInfo timer, CancellationToken cancellationToken)
        => queues.ReadAllAsync(cancellationToken);
}
