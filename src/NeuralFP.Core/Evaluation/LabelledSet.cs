using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Evaluation;

/// <summary>A named set of records for evaluation.</summary>
public sealed record LabelledSet(string Name, FloatTensor Records);
