using NeuralFP.LocalHost.Rpc;

namespace NeuralFP.LocalHost.Functions;

/// <summary>A function as the worker indexed it: its id for this worker, its trigger and its output bindings.</summary>
internal sealed class IndexedFunction
{
    public IndexedFunction(RpcFunctionMetadata metadata)
    {
        Metadata = metadata;
        var bindings = metadata.RawBindings.Select(FunctionBinding.Parse).ToArray();
        Trigger = bindings.SingleOrDefault(b => b.IsTrigger)
            ?? throw new InvalidOperationException($"Function '{metadata.Name}' has no trigger binding.");
        Outputs = bindings.Where(b => !b.IsInput).ToArray();
    }

    public RpcFunctionMetadata Metadata { get; }
    public string Name => Metadata.Name;
    public string Id => Metadata.FunctionId;
    public FunctionBinding Trigger { get; }
    public IReadOnlyList<FunctionBinding> Outputs { get; }
}
