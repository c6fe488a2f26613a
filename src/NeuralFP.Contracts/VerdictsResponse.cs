using NeuralFP.Core.Explanations;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Contracts;

/// <summary>
/// Verdicts for each posted record, in order, from the model's current fingerprint version. The layers' thresholds
/// are the model's and appear once; each verdict carries what a gateway acts on, and its per-layer evidence only with
/// <c>?detail=layers</c>. Streamed by the function app's <c>VerdictsResult</c>, which writes exactly this shape.
/// </summary>
/// <param name="ModelId">The model's ID.</param>
/// <param name="ModelVersion">The fingerprint version that judged the records.</param>
/// <param name="Records">Records judged.</param>
/// <param name="OodRecords">Of those, records out of distribution.</param>
/// <param name="Verdicts">One verdict per posted record, in order.</param>
/// <param name="Detail">"verdict" (the default) or "layers" (each verdict also carries its per-layer evidence).</param>
/// <param name="Layers">The fingerprint's layers in order, with their thresholds (the same for every record).</param>
/// <param name="Explanations">With <c>?explain=true</c>: one per verdict, in the same order (deciding layer, top input features, heatmap); absent otherwise.</param>
public sealed record VerdictsResponse(string ModelId, int ModelVersion, int Records, int OodRecords, string Detail,
    IReadOnlyList<LayerThresholds> Layers, IReadOnlyList<RecordVerdict> Verdicts, IReadOnlyList<VerdictExplanation>? Explanations = null)
{
    /// <summary>The full verdicts (every field of the in-process <see cref="Verdict"/>), from an answer asked for with <c>?detail=layers</c>.</summary>
    /// <exception cref="InvalidOperationException">The answer carries no per-layer detail.</exception>
    public IReadOnlyList<Verdict> ToVerdicts() => Verdicts.Select(v => v.ToVerdict(Layers)).ToArray();
}
