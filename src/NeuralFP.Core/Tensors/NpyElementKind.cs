namespace NeuralFP.Core.Tensors;

/// <summary>The element types NeuralFP reads from .npy files, each converted to float32 on the way in.</summary>
internal enum NpyElementKind
{
    Float32,
    Float64,
    UInt8,
    Int32,
    Int64,
}
