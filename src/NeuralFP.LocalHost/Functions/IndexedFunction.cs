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
        // The load request's binding table comes from the raw bindings, as the Functions host builds it: a worker
        // that indexes from functions.metadata (no source-generated provider) leaves it empty.
        if (metadata.Bindings.Count == 0)
            foreach (var binding in bindings) metadata.Bindings[binding.Name] = binding.ToBindingInfo();
    }

    public RpcFunctionMetadata Metadata { get; }
    public string Name => Metadata.Name;
    public string Id => Metadata.FunctionId;
    public FunctionBinding Trigger { get; }
    public IReadOnlyList<FunctionBinding> Outputs { get; }
}
