using System.Collections.Concurrent;

namespace NeuralFP.LocalHost.Rpc;

/// <summary>Pairs a started worker (by the worker id on its command line) with the stream it opens.</summary>
internal sealed class WorkerRegistry
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<WorkerConnection>> _expected = new();

    public Task<WorkerConnection> Expect(string workerId)
    {
        var connected = new TaskCompletionSource<WorkerConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        _expected[workerId] = connected;
        return connected.Task;
    }

    public void Forget(string workerId) => _expected.TryRemove(workerId, out _);

    public bool TryConnect(string workerId, WorkerConnection connection) =>
        _expected.TryRemove(workerId, out var expected) && expected.TrySetResult(connection);
}
