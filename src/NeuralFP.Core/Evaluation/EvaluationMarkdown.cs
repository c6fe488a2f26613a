namespace NeuralFP.Core.Evaluation;

/// <summary>An evaluation report as a Markdown table, so CLI output pastes into READMEs and notes as is.</summary>
public static class EvaluationMarkdown
{
    public static void Write(TextWriter writer, EvaluationReport report)
    {
        writer.WriteLine($"In-distribution: {report.InDistributionSet} ({report.InDistributionRecords} records); realised FPR {report.RealisedFpr:P2} (target {report.TargetFpr:P2}).");
        writer.WriteLine(EvaluationReport.Convention);
        writer.WriteLine();
        writer.WriteLine("| OOD set | detector | AUROC | FPR@95TPR | AUPR-In | AUPR-Out | flagged at threshold |");
        writer.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var row in report.Rows)
        {
            var m = row.Metrics;
            writer.WriteLine($"| {row.OodSet} | {row.Detector} | {m.Auroc:F4} | {m.Fpr95:F4} | {m.AuprIn:F4} | {m.AuprOut:F4} | {(row.DetectionRate is { } d ? d.ToString("P1") : "-")} |");
        }
        writer.WriteLine();
        if (report.Detectors.Count == 0) return;
        writer.WriteLine("| detector | realised FPR (in-dist) | records/s | fit s | state bytes | keeps reference data |");
        writer.WriteLine("|---|---:|---:|---:|---:|---|");
        foreach (var d in report.Detectors)
            writer.WriteLine($"| {d.Detector} | {d.RealisedFpr:P2} | {d.RecordsPerSecond:N0} | {(d.FitSeconds is { } f ? f.ToString("F2") : "-")} | {(d.StateBytes is { } b ? b.ToString("N0") : "-")} | {(d.KeepsReferenceData ? "yes" : "no")} |");
        writer.WriteLine();
    }
}
