namespace NeuralFP.Core.Activations;

/// <summary>A tapped tensor and how its activations are pooled into features.</summary>
public sealed record LayerSpec(string Name, PoolingSpec Pooling);
