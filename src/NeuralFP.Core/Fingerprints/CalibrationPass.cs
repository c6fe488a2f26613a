using NeuralFP.Core.Activations;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Shifts;
using System.Numerics.Tensors;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// The build's second streamed pass: the calibration records (held-out and early-stopping) through the fused scorer,
/// batch by batch. Keeps one error per record and layer, and, for the detectors, the held-out records' model outputs
/// and tapped detector inputs as the scoring path computes them, and the statistics of the self-check's shifted copies of
/// the batch's sampled records; nothing else of a batch outlives it.
/// </summary>
internal static class CalibrationPass
{
    /// <param name="statistics">The scorer's per-record statistic outputs (every layer's error, then any latent distances).</param>
    /// <param name="detectorTaps">(tensor, scorer output) pairs the detectors read; null when no detector is fitted.</param>
    /// <param name="selfCheck">Gets the scorer's statistics of its shifted copies, batch by batch; null for none.</param>
    /// <returns>Per statistic the calibration records' values ([statistic][record], in <see cref="ReferenceSplit.Calibration"/> order),
    /// the argmax of the model's first output for each calibration record (same order),
    /// and the held-out records' detector inputs (null without detectors).</returns>
    public static (float[][] Errors, int[] Classes, ActivationSet? HeldOut) Run(byte[] scorer, OnnxModel model, IReadOnlyList<string> statistics, IReadOnlyList<(string Tensor, string Output)>? detectorTaps, IEnumerable<FloatTensor> batches, ReferenceSplit split, SelfCheck? selfCheck, CancellationToken cancellationToken)
    {
        using var session = new ScorerSession(scorer, model.InputName, model.InputShape, model.OutputNames[0], statistics,
            outputIsProbability: false, extraOutputs: detectorTaps?.Select(t => t.Output).ToArray(),
            // A build's batches are large; a short last batch is not worth a second session.
            inlineSmallBatches: InlineSmallBatches.Off);
        var calibration = split.Calibration;
        var layers = statistics.Count;
        var errors = statistics.Select(_ => new float[calibration.Length]).ToArray();
        var classes = new int[calibration.Length];
        var heldOut = HeldOutPositions(calibration, split.HeldOut);
        float[]? outputs = null;
        float[][]? taps = null;
        int[]? outputShape = null;
        int start = 0, h = 0;
        foreach (var batch in batches)
        {
            foreach (var shifted in selfCheck?.ShiftRuns(batch, start, batch.Records) ?? [])
            {
                var predicted = new int[shifted.Records];
                if (detectorTaps is null)
                {
                    var values = new float[shifted.Records * layers];
                    session.Run(shifted, values, predicted, default, cancellationToken);
                    selfCheck!.Keep(values, predicted);
                    continue;
                }
                var (statisticValues, output, tapped) = session.RunAll(shifted, cancellationToken);
                for (var r = 0; r < predicted.Length; r++) predicted[r] = TensorPrimitives.IndexOfMax(output.Record(r));
                selfCheck!.Keep(statisticValues, predicted, output, tapped);
            }
            if (detectorTaps is null)
            {
                var values = new float[batch.Records * layers];
                session.Run(batch, values, classes.AsSpan(start, batch.Records), default, cancellationToken);
                for (var r = 0; r < batch.Records; r++)
                    for (var l = 0; l < layers; l++) errors[l][start + r] = values[r * layers + l];
                start += batch.Records;
                continue;
            }
            var (interleaved, modelOutput, extras) = session.RunAll(batch, cancellationToken);
            outputShape ??= modelOutput.RecordShape;
            outputs ??= new float[checked(split.HeldOut.Length * modelOutput.RecordLength)];
            taps ??= [.. extras.Select(e => new float[checked(split.HeldOut.Length * e.RecordLength)])];
            for (var r = 0; r < batch.Records; r++)
            {
                for (var l = 0; l < layers; l++) errors[l][start + r] = interleaved[r * layers + l];
                classes[start + r] = TensorPrimitives.IndexOfMax(modelOutput.Record(r));
                if (!heldOut[start + r]) continue;
                modelOutput.Record(r).CopyTo(outputs.AsSpan(h * modelOutput.RecordLength, modelOutput.RecordLength));
                for (var x = 0; x < extras.Length; x++) extras[x].Record(r).CopyTo(taps[x].AsSpan(h * extras[x].RecordLength, extras[x].RecordLength));
                h++;
            }
            start += batch.Records;
        }
        if (start != calibration.Length) throw new InvalidOperationException($"The calibration pass read {start} records, not {calibration.Length}.");
        if (detectorTaps is null) return (errors, classes, null);
        var n = split.HeldOut.Length;
        var held = new ActivationSet(
            [.. detectorTaps.Select(t => t.Tensor)],
            [.. taps!.Select(t => new FloatTensor(t, [n, t.Length / Math.Max(n, 1)]))],
            new FloatTensor(outputs!, [n, .. outputShape!]));
        return (errors, classes, held);
    }

    /// <summary>For each calibration record (sorted), whether it is a held-out one (both sorted, so the k-th held-out one in this order is HeldOut[k]).</summary>
    private static bool[] HeldOutPositions(int[] calibration, int[] heldOut)
    {
        var result = new bool[calibration.Length];
        for (int c = 0, k = 0; c < calibration.Length && k < heldOut.Length; c++)
        {
            if (calibration[c] != heldOut[k]) continue;
            result[c] = true;
            k++;
        }
        return result;
    }
}
