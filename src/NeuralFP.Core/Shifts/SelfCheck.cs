using System.Globalization;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Metrics;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Shifts;

/// <summary>
/// What the build's self-check found (<see cref="Fingerprints.FingerprintOptions.SelfCheckRecords"/>): per shift, how well
/// this fingerprint tells shifted calibration records from unshifted ones on this model. Nothing is chosen from it; it says,
/// at upload, whether the fingerprint is blind to a common shift on a model the defaults were not chosen on.
/// </summary>
/// <param name="Records">Calibration records shifted per shift (an even stride over them).</param>
/// <param name="Against">What the shifted records are compared with.</param>
/// <param name="Shifts">Per shift: what was done, the AUROC and the share flagged.</param>
public sealed record SelfCheckSummary(int Records, string Against, IReadOnlyList<ShiftSensitivity> Shifts)
{
    /// <summary>Below this AUROC the build warns that the fingerprint sees a shift weakly (a report, not a decision).</summary>
    public const double WeakAuroc = 0.8;

    /// <summary>The shifts this fingerprint sees weakly.</summary>
    public IEnumerable<ShiftSensitivity> Weak() => Shifts.Where(s => s.Auroc < WeakAuroc);

    /// <summary>One line for logs and the CLI.</summary>
    public override string ToString() =>
        $"self-check on {Records:N0} shifted calibration records each: " +
        string.Join("; ", Shifts.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Shift} AUROC {s.Auroc:F3}, {s.Flagged:P0} flagged")));
}

/// <param name="Shift">The shift's name (blur, low contrast, occlusion, additive noise; feature noise for records without an image).</param>
/// <param name="Description">What was done, with the sizes this reference gave it.</param>
/// <param name="Auroc">Shifted records' scores against the calibration records' own: 0.5 is blind, 1 tells every one apart.</param>
/// <param name="Flagged">The share of shifted records flagged at the calibrated threshold (in-distribution records: the target rate).</param>
public sealed record ShiftSensitivity(string Shift, string Description, double Auroc, double Flagged);

/// <summary>
/// The build's self-check while it runs: an even stride of calibration records, each copied under every shift, scaled to
/// the reference's own values (its first calibration batch: mean, spread, range), streamed through the fused scorer
/// beside the calibration batch it came from, and scored, once the integration is fitted, as that calibration record is
/// scored (leave-one-out for the neighbour densities, so a shifted copy does not meet its original). Holds one value per
/// shifted record and statistic.
/// </summary>
internal sealed class SelfCheck
{
    /// <summary>Image shifts need the record's last two axes to be at least this long.</summary>
    private const int SmallestImageSide = 7;

    private readonly int[] _positions;
    private readonly Shift[] _shifts;
    private readonly ulong _seed;
    private readonly int _statistics;
    private readonly float[][] _values;
    private readonly int[][] _classes;
    private Scale? _scale;
    private int _next;

    /// <summary>The run <see cref="ShiftRuns"/> last returned: its first sampled record, how many, its first shift.</summary>
    private (int First, int Count, int Shift) _run;

    private SelfCheck(int[] positions, Shift[] shifts, int seed, int statistics)
    {
        _positions = positions;
        _shifts = shifts;
        _seed = unchecked((ulong)seed * 0x9E3779B97F4A7C15);
        _statistics = statistics;
        _values = [.. shifts.Select(_ => new float[checked(positions.Length * statistics)])];
        _classes = [.. shifts.Select(_ => new int[positions.Length])];
    }

    /// <returns>Null when there is nothing to check (no records asked for, or no calibration records).</returns>
    public static SelfCheck? Plan(IReadOnlyList<int> recordShape, int calibrationRecords, int records, int seed, int statistics)
    {
        var m = Math.Min(records, calibrationRecords);
        if (m <= 0) return null;
        var positions = new int[m];
        for (var i = 0; i < m; i++) positions[i] = (int)((long)i * calibrationRecords / m);
        var image = InputRegionalError.Layout(recordShape, SmallestImageSide) is not null;
        return new SelfCheck(positions, image ? [Shift.Blur, Shift.LowContrast, Shift.Occlusion, Shift.AdditiveNoise] : [Shift.FeatureNoise], seed, statistics);
    }

    /// <summary>
    /// The shifted copies of the sampled records in the calibration batch that starts at calibration position
    /// <paramref name="start"/>, in runs for the scorer: each run holds whole shifts' copies (shift after shift, the sampled
    /// records in order), as many shifts as fit in <paramref name="maxRecords"/>, so a calibration batch usually costs one
    /// extra run and never holds more than the batch's sampled records and one run. Call <see cref="Keep"/> with each run's
    /// statistics before asking for the next.
    /// </summary>
    public IEnumerable<FloatTensor> ShiftRuns(FloatTensor batch, int start, int maxRecords)
    {
        _scale ??= Scale.Of(batch);
        var first = _next;
        while (_next < _positions.Length && _positions[_next] < start + batch.Records) _next++;
        var count = _next - first;
        if (count == 0) yield break;
        var length = batch.RecordLength;
        var sampled = new float[checked(count * length)];
        for (var i = 0; i < count; i++) batch.Record(_positions[first + i] - start).CopyTo(sampled.AsSpan(i * length, length));
        var records = new FloatTensor(sampled, [count, .. batch.RecordShape]);
        var shiftsPerRun = Math.Max(1, maxRecords / count);
        for (var s0 = 0; s0 < _shifts.Length; s0 += shiftsPerRun)
        {
            var s1 = Math.Min(_shifts.Length, s0 + shiftsPerRun);
            var run = new float[checked((s1 - s0) * sampled.Length)];
            for (var s = s0; s < s1; s++) Apply(_shifts[s], records, first).Data.CopyTo(run, (s - s0) * sampled.Length);
            _run = (first, count, s0);
            yield return new FloatTensor(run, [(s1 - s0) * count, .. batch.RecordShape]);
        }
    }

    /// <summary>Keeps the scorer's statistics and predicted classes of the run <see cref="ShiftRuns"/> last returned.</summary>
    /// <param name="values">[record × statistic], as the scorer writes them.</param>
    public void Keep(ReadOnlySpan<float> values, ReadOnlySpan<int> classes)
    {
        var (first, count, shift) = _run;
        for (var s = 0; s < classes.Length / count; s++)
        {
            values.Slice(s * count * _statistics, count * _statistics).CopyTo(_values[shift + s].AsSpan(first * _statistics));
            classes.Slice(s * count, count).CopyTo(_classes[shift + s].AsSpan(first));
        }
    }

    /// <summary>
    /// Scores every shifted record as its calibration record is scored, against the calibration records' own scores: the
    /// integration's (leave-one-out for the k-NN density, cross-fitted for the Gaussians) or, without one, the one-out
    /// rule's (whose thresholds are quantiles of those same records).
    /// </summary>
    /// <param name="calibration">The calibration records' statistics ([statistic][record]): the one-out rule's own scores come from them.</param>
    public SelfCheckSummary Summarise(LayerIntegration? integration, OneOutRule rule, IReadOnlyList<float[]> calibration)
    {
        if (_next != _positions.Length) throw new InvalidOperationException($"The self-check saw {_next} of its {_positions.Length} records.");
        var layers = rule.Layers.Count;
        var own = integration is null ? RuleScores(rule, calibration)
            : integration.HeldOutScoresInRecordOrder ?? throw new InvalidOperationException("The self-check needs the integration's calibration scores (right after it is calibrated).");
        var scores = new double[_positions.Length];
        var results = new ShiftSensitivity[_shifts.Length];
        for (var s = 0; s < _shifts.Length; s++)
        {
            var flagged = 0;
            for (var i = 0; i < scores.Length; i++)
            {
                var values = _values[s].AsSpan(i * _statistics, _statistics);
                scores[i] = integration?.ScoreAsCalibrationRecord(rule, values, _classes[s][i], _positions[i]) ?? rule.Score(values[..layers]);
                if (integration?.IsOod(scores[i]) ?? rule.IsOod(values[..layers])) flagged++;
            }
            results[s] = new ShiftSensitivity(Name(_shifts[s]), Describe(_shifts[s]), OodMetrics.Compute(own, scores).Auroc, (double)flagged / scores.Length);
        }
        return new SelfCheckSummary(_positions.Length, $"the {own.Length:N0} calibration records' own scores", results);
    }

    private static double[] RuleScores(OneOutRule rule, IReadOnlyList<float[]> calibration)
    {
        var row = new float[rule.Layers.Count];
        var scores = new double[calibration[0].Length];
        for (var r = 0; r < scores.Length; r++)
        {
            for (var l = 0; l < row.Length; l++) row[l] = calibration[l][r];
            scores[r] = rule.Score(row);
        }
        return scores;
    }

    private enum Shift { Blur, LowContrast, Occlusion, AdditiveNoise, FeatureNoise }

    private FloatTensor Apply(Shift shift, FloatTensor records, int firstRecord)
    {
        var scale = _scale!;
        return shift switch
        {
            Shift.Blur => Corruptions.Blur(records, BlurSigma(records)),
            Shift.LowContrast => Corruptions.LowContrast(records, 0.3f, (float)scale.Mean),
            Shift.Occlusion => Corruptions.Occlusion(records, 2, PatchSide(records), _seed ^ 2001, (float)scale.Mean, firstRecord),
            Shift.AdditiveNoise => Corruptions.AdditiveNoise(records, 0.5 * scale.Spread, _seed ^ 2002, scale.Low, scale.High, firstRecord),
            _ => Corruptions.FeatureNoise(records, scale.FeatureSpread, _seed ^ 3004, firstRecord),
        };
    }

    private static string Name(Shift shift) => shift switch
    {
        Shift.Blur => "blur",
        Shift.LowContrast => "low contrast",
        Shift.Occlusion => "occlusion",
        Shift.AdditiveNoise => "additive noise",
        _ => "feature noise",
    };

    private string Describe(Shift shift)
    {
        var scale = _scale!;
        int Side() => Math.Min(scale.Shape[^2], scale.Shape[^1]);
        return shift switch
        {
            Shift.Blur => string.Create(CultureInfo.InvariantCulture, $"Gaussian blur, σ = {BlurSigma(Side()):0.##} px"),
            Shift.LowContrast => string.Create(CultureInfo.InvariantCulture, $"contrast × 0.3 around the reference's mean value {scale.Mean:G3}"),
            Shift.Occlusion => string.Create(CultureInfo.InvariantCulture, $"two {PatchSide(Side())}×{PatchSide(Side())} patches of the reference's mean value {scale.Mean:G3}"),
            Shift.AdditiveNoise => string.Create(CultureInfo.InvariantCulture, $"Gaussian noise, σ = {0.5 * scale.Spread:G3} (half the reference's spread), clipped to its range [{scale.Low:G3}, {scale.High:G3}]"),
            _ => "every feature + half its spread × N(0, 1)",
        };
    }

    // The panel's sizes on 28×28 images (σ 1.5 px, 10-px patches), scaled to the image; the blur's σ is capped at 4 px
    // (a 17-tap kernel) so that large images cost little.
    private static double BlurSigma(FloatTensor records) => BlurSigma(Math.Min(records.Shape[^2], records.Shape[^1]));

    private static double BlurSigma(int side) => Math.Min(4, 1.5 * side / 28.0);

    private static int PatchSide(FloatTensor records) => PatchSide(Math.Min(records.Shape[^2], records.Shape[^1]));

    private static int PatchSide(int side) => Math.Max(1, (int)Math.Round(side * 10 / 28.0));

    /// <summary>The reference's values, from the first calibration batch: mean, spread, range, and each feature's spread.</summary>
    private sealed record Scale(double Mean, double Spread, double Low, double High, double[] FeatureSpread, int[] Shape)
    {
        public static Scale Of(FloatTensor batch)
        {
            double sum = 0, sq = 0, low = double.PositiveInfinity, high = double.NegativeInfinity;
            foreach (var v in batch.Data)
            {
                sum += v;
                sq += (double)v * v;
                low = Math.Min(low, v);
                high = Math.Max(high, v);
            }
            var n = Math.Max(batch.Data.Length, 1);
            var mean = sum / n;
            return new Scale(mean, Math.Sqrt(Math.Max(sq / n - mean * mean, 0)), low, high, Corruptions.FeatureSpread(batch), batch.RecordShape);
        }
    }
}
