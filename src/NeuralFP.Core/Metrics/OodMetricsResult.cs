namespace NeuralFP.Core.Metrics;

/// <summary>Threshold-free OOD metrics with OOD as the positive class (OpenOOD's convention).</summary>
/// <param name="Auroc">Area under the ROC curve: P(OOD score &gt; ID score) + ½·P(equal) (Mann–Whitney).</param>
/// <param name="AuprIn">Average precision with ID as the positive class and the score negated.</param>
/// <param name="AuprOut">Average precision with OOD as the positive class.</param>
/// <param name="Fpr95">Share of ID records flagged at the highest threshold that still flags ≥ 95% of OOD records.</param>
public sealed record OodMetricsResult(double Auroc, double AuprIn, double AuprOut, double Fpr95, int InCount, int OutCount);
