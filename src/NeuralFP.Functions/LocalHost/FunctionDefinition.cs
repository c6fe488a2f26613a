namespace NeuralFP.Functions.LocalHost;

/// <summary>A function folder: its name and the bindings of its function.json.</summary>
public sealed record FunctionDefinition(string Name, IReadOnlyList<BindingDefinition> Bindings)
{
    public BindingDefinition Trigger => Bindings.Single(b => b.IsTrigger);

    public IEnumerable<BindingDefinition> Outputs => Bindings.Where(b => string.Equals(b.Direction, "out", StringComparison.OrdinalIgnoreCase));
}
