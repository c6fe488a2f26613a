using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace NeuralFP.LocalHost.Rpc;

/// <summary>The host's side of FunctionRpc.EventStream: the worker connects, says StartStream, then the two talk.</summary>
internal sealed class FunctionRpcService(WorkerRegistry registry, ILogger<FunctionRpcService> logger) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(
        IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken).ConfigureAwait(false)) return;
        if (requestStream.Current.StartStream is not { } start)
        {
            logger.LogWarning("A worker stream began with {Kind} instead of StartStream; closed.", requestStream.Current.ContentCase);
            return;
        }
        var connection = new WorkerConnection(responseStream, logger);
        if (!registry.TryConnect(start.WorkerId, connection))
        {
            logger.LogWarning("Worker '{WorkerId}' connected but was not started by this host; closed.", start.WorkerId);
            return;
        }
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection.Aborted);
        try
        {
            while (await requestStream.MoveNext(ended.Token).ConfigureAwait(false))
                connection.Receive(requestStream.Current);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or Grpc.Core.RpcException)
        {
            logger.LogDebug("Worker '{WorkerId}' stream ended: {Reason}", start.WorkerId, e.Message);
        }
        finally
        {
            connection.Close();
        }
    }
}
