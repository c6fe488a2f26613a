using NeuralFP.Core.Explanations;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Functions.Contracts;

/// <summary>Verdicts for each posted record, in order, from the model's current fingerprint version.</summary>
/// <param name="ModelId">The model's ID.</param>
/// <param name="ModelVersion">The fingerprint version that judged the records.</param>
/// <param name="Records">Records judged.</param>
/// <param name="OodRecords">Of those, records out of distribution.</param>
/// <param name="Verdicts">One verdict per posted record, in order.</param>
/// <param name="Explanations">With <c>?explain=true</c>: one per verdict, in the same order (deciding layer, top input features, heatmap); absent otherwise.</param>
public sealed record VerdictsResponse(string ModelId, int ModelVersion, int Records, int OodRecords, IReadOnlyList<Verdict> Verdicts,
    IReadOnlyList<VerdictExplanation>? Explanations = null);
