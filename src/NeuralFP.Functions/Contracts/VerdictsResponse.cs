using NeuralFP.Core.Verdicts;

namespace NeuralFP.Functions.Contracts;

/// <summary>Verdicts for each posted record, in order, from the model's current fingerprint version.</summary>
public sealed record VerdictsResponse(string ModelId, int ModelVersion, int Records, int OodRecords, IReadOnlyList<Verdict> Verdicts);
