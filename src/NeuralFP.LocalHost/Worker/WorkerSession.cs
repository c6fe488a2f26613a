using NeuralFP.LocalHost.Functions;
using NeuralFP.LocalHost.Rpc;

namespace NeuralFP.LocalHost.Worker;

/// <summary>A worker that has connected, initialised and loaded its functions: what invocations go to.</summary>
internal sealed class WorkerSession(WorkerConnection connection, IRunningWorker worker, Uri? httpUri, IReadOnlyList<IndexedFunction> functions)
{
    public WorkerConnection Connection { get; } = connection;
    public IRunningWorker Worker { get; } = worker;
    /// <summary>The worker's own Kestrel (the HttpUri capability of ASP.NET Core integration), if it has one.</summary>
    public Uri? HttpUri { get; } = httpUri;
    public IReadOnlyList<IndexedFunction> Functions { get; } = functions;

    public IndexedFunction Function(string name) =>
        Functions.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"The worker has no function '{name}' (it has: {string.Join(", ", Functions.Select(f => f.Name))}).", nameof(name));
}
