using System.Globalization;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Metrics;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Shifts;

/// <summary>
/// The build's self-check while it runs: an even stride of calibration records, each copied under every shift, scaled to
/// the reference's own values (its first calibration batch: mean, spread, range), streamed through the fused scorer
/// beside the calibration batch it came from, and scored, once the integration is fitted, as that calibration record is
/// scored (leave-one-out for the neighbour densities, so a shifted copy does not meet its original). Holds one value per
/// shifted record and statistic, and, for the detectors fitted beside the fingerprint, the model's output and the tapped
/// detector inputs of the shifted held-out records (the detectors' fit set holds the others).
/// </summary>
internal sealed class SelfCheck
{
    /// <summary>Image shifts need the record's last two axes to be at least this long.</summary>
    private const int SmallestImageSide = 7;

    private readonly int[] _positions;
    private readonly Shift[] _shifts;

    /// <summary>The first <see cref="_checks"/> shifts are the self-check's; the rest measure each statistic's response (<see cref="Responses"/>).</summary>
    private readonly int _checks;

    /// <summary>Whether a planned shift mixes a record with a partner (<see cref="ShiftRuns"/> then copies the partners).</summary>
    private readonly bool _partnered;
    private readonly ulong _seed;
    private readonly int _statistics;
    private readonly float[][] _values;
    private readonly int[][] _classes;
    private Scale? _scale;
    private int _next;

    /// <summary>Per sampled record its row among the held-out ones the detectors are compared on, or −1.</summary>
    private readonly int[] _detectorRow;
    private readonly int _detectorRecords;
    private float[][]? _outputs;
    private float[][][]? _taps;
    private int _outputLength;
    private int[]? _tapLengths;

    /// <summary>The run <see cref="ShiftRuns"/> last returned: its first sampled record, how many, its first shift.</summary>
    private (int First, int Count, int Shift) _run;

    private SelfCheck(int[] positions, bool[] heldOut, Shift[] shifts, int checks, int seed, int statistics)
    {
        _checks = checks;
        _partnered = shifts.Any(s => s is Shift.Mixup or Shift.ColumnResample);
        _positions = positions;
        _detectorRow = new int[positions.Length];
        for (var i = 0; i < positions.Length; i++) _detectorRow[i] = heldOut[i] ? _detectorRecords++ : -1;
        _shifts = shifts;
        _seed = unchecked((ulong)seed * 0x9E3779B97F4A7C15);
        _statistics = statistics;
        _values = [.. shifts.Select(_ => new float[checked(positions.Length * statistics)])];
        _classes = [.. shifts.Select(_ => new int[positions.Length])];
    }

    /// <param name="calibration">The calibration records' indices (sorted), whose positions the sample strides over.</param>
    /// <param name="heldOut">The held-out records' indices (sorted), a subset of <paramref name="calibration"/>.</param>
    /// <param name="checks">Shift the records by the self-check's shifts (<see cref="Summarise"/>).</param>
    /// <param name="responses">Shift the records by the response shifts (<see cref="Responses"/>).</param>
    /// <returns>Null when there is nothing to do (neither kind of shift, no records asked for, or no calibration records).</returns>
    public static SelfCheck? Plan(IReadOnlyList<int> recordShape, int[] calibration, int[] heldOut, int records, int seed, int statistics, bool checks = true, bool responses = false)
    {
        var m = Math.Min(records, calibration.Length);
        if (m <= 0 || !checks && !responses) return null;
        var positions = new int[m];
        for (var i = 0; i < m; i++) positions[i] = (int)((long)i * calibration.Length / m);
        var isHeldOut = positions.Select(p => Array.BinarySearch(heldOut, calibration[p]) >= 0).ToArray();
        var image = InputRegionalError.Layout(recordShape, SmallestImageSide) is not null;
        Shift[] check = !checks ? [] : image ? [Shift.Blur, Shift.LowContrast, Shift.Occlusion, Shift.AdditiveNoise] : [Shift.FeatureNoise];
        // The response shifts are of other kinds than the self-check's and the panel's sets: what they teach is not read back from either.
        Shift[] response = !responses ? [] : image ? [Shift.Mixup, Shift.PatchShuffle] : [Shift.Mixup, Shift.ColumnResample];
        return new SelfCheck(positions, isHeldOut, [.. check, .. response], check.Length, seed, statistics);
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
        // Each sampled record's partner for the two-record shifts: the record half a batch away (itself in a batch of one).
        FloatTensor? partnerRecords = null;
        if (_partnered)
        {
            var partners = new float[sampled.Length];
            for (var i = 0; i < count; i++) batch.Record((_positions[first + i] - start + batch.Records / 2) % batch.Records).CopyTo(partners.AsSpan(i * length, length));
            partnerRecords = new FloatTensor(partners, [count, .. batch.RecordShape]);
        }
        var shiftsPerRun = Math.Max(1, maxRecords / count);
        for (var s0 = 0; s0 < _shifts.Length; s0 += shiftsPerRun)
        {
            var s1 = Math.Min(_shifts.Length, s0 + shiftsPerRun);
            var run = new float[checked((s1 - s0) * sampled.Length)];
            for (var s = s0; s < s1; s++) Apply(_shifts[s], records, partnerRecords, first).Data.CopyTo(run, (s - s0) * sampled.Length);
            _run = (first, count, s0);
            yield return new FloatTensor(run, [(s1 - s0) * count, .. batch.RecordShape]);
        }
    }

    /// <summary>Keeps the scorer's statistics and predicted classes of the run <see cref="ShiftRuns"/> last returned, and,
    /// when the detectors read them, the model's output and the tapped detector inputs of its held-out records.</summary>
    /// <param name="values">[record × statistic], as the scorer writes them.</param>
    public void Keep(ReadOnlySpan<float> values, ReadOnlySpan<int> classes, FloatTensor? outputs = null, FloatTensor[]? taps = null)
    {
        var (first, count, shift) = _run;
        for (var s = 0; s < classes.Length / count; s++)
        {
            values.Slice(s * count * _statistics, count * _statistics).CopyTo(_values[shift + s].AsSpan(first * _statistics));
            classes.Slice(s * count, count).CopyTo(_classes[shift + s].AsSpan(first));
        }
        if (outputs is null || taps is null) return;
        _outputLength = outputs.RecordLength;
        _tapLengths ??= [.. taps.Select(t => t.RecordLength)];
        // The detectors are compared on the self-check's shifts only.
        _outputs ??= [.. _values.Take(_checks).Select(_ => new float[checked(_detectorRecords * _outputLength)])];
        _taps ??= [.. _values.Take(_checks).Select(_ => _tapLengths.Select(length => new float[checked(_detectorRecords * length)]).ToArray())];
        for (var s = 0; s < Math.Min(classes.Length / count, _checks - shift); s++)
            for (var i = 0; i < count; i++)
            {
                var row = _detectorRow[first + i];
                if (row < 0) continue;
                var record = s * count + i;
                outputs.Record(record).CopyTo(_outputs[shift + s].AsSpan(row * _outputLength, _outputLength));
                for (var t = 0; t < taps.Length; t++) taps[t].Record(record).CopyTo(_taps[shift + s][t].AsSpan(row * _tapLengths[t], _tapLengths[t]));
            }
    }

    /// <summary>
    /// Scores every shifted record as its calibration record is scored, against the calibration records' own scores: the
    /// integration's (leave-one-out for the k-NN density, cross-fitted for the Gaussians) or, without one, the one-out
    /// rule's (whose thresholds are quantiles of those same records). Then each detector on the held-out copies, against
    /// its own held-out scores; the combined detector reads the copies' fingerprint scores and statistics.
    /// </summary>
    /// <param name="calibration">The calibration records' statistics ([statistic][record]): the one-out rule's own scores come from them.</param>
    /// <param name="detectors">The detectors fitted beside the fingerprint, right after the build fitted them (their held-out
    /// scores known), and the tensor names of the inputs kept for them; null without detectors.</param>
    /// <param name="statisticNames">A name per statistic, in the scorer's order (each is also compared alone); null leaves them out.</param>
    public SelfCheckSummary Summarise(LayerIntegration? integration, OneOutRule rule, IReadOnlyList<float[]> calibration, (DetectorSet Set, IReadOnlyList<string> Taps)? detectors = null,
        IReadOnlyList<string>? statisticNames = null)
    {
        if (_checks == 0) throw new InvalidOperationException("This self-check was planned with the response shifts only.");
        if (_next != _positions.Length) throw new InvalidOperationException($"The self-check saw {_next} of its {_positions.Length} records.");
        var layers = rule.Layers.Count;
        var own = integration is null ? RuleScores(rule, calibration)
            : integration.HeldOutScoresInRecordOrder ?? throw new InvalidOperationException("The self-check needs the integration's calibration scores (right after it is calibrated).");
        var scores = _shifts.Take(_checks).Select(_ => new double[_positions.Length]).ToArray();
        var flagged = new int[_checks];
        for (var s = 0; s < _checks; s++)
            for (var i = 0; i < _positions.Length; i++)
            {
                var values = _values[s].AsSpan(i * _statistics, _statistics);
                scores[s][i] = integration?.ScoreAsCalibrationRecord(rule, values, _classes[s][i], _positions[i]) ?? rule.Score(values[..layers]);
                if (integration?.IsOod(scores[s][i]) ?? rule.IsOod(values[..layers])) flagged[s]++;
            }
        // The detectors score each shift's copies on their own (read-only state): the shifts side by side on every core.
        var detectorResults = new DetectorShiftSensitivity[]?[_checks];
        if (detectors is { } d && _outputs is not null && _detectorRecords > 0)
            Parallel.For(0, _checks, s => detectorResults[s] = DetectorsOn(s, scores[s], d.Set, d.Taps));
        var statistics = statisticNames is null ? null : StatisticsAlone(calibration, statisticNames,
            integration?.Included ?? [.. Enumerable.Range(0, _statistics).Select(j => j < layers)]);
        var results = _shifts.Take(_checks).Select((shift, s) => new ShiftSensitivity(Name(shift), Describe(shift), OodMetrics.Compute(own, scores[s]).Auroc,
            (double)flagged[s] / _positions.Length, detectorResults[s], statistics?[s])).ToArray();
        return new SelfCheckSummary(_positions.Length, $"the {own.Length:N0} calibration records' own scores", results,
            detectorResults[0] is null ? 0 : _detectorRecords);
    }

    /// <summary>Each detector on the held-out copies of shift <paramref name="shift"/>, best first.</summary>
    /// <param name="fingerprintScores">The fingerprint's score of every copy of the shift (read by the combined detector).</param>
    private DetectorShiftSensitivity[] DetectorsOn(int shift, double[] fingerprintScores, DetectorSet set, IReadOnlyList<string> taps)
    {
        var n = _detectorRecords;
        var activations = new ActivationSet(taps, [.. _taps![shift].Select((values, t) => new FloatTensor(values, [n, _tapLengths![t]]))], new FloatTensor(_outputs![shift], [n, _outputLength]));
        var plain = DetectorSet.Inputs(activations, set.PenultimateTensor, set.LogitsTensor, set.OutputIsProbability);
        var heldOutScores = new double[n];
        var statistics = new float[checked(n * _statistics)];
        for (var i = 0; i < _positions.Length; i++)
        {
            if (_detectorRow[i] < 0) continue;
            heldOutScores[_detectorRow[i]] = fingerprintScores[i];
            _values[shift].AsSpan(i * _statistics, _statistics).CopyTo(statistics.AsSpan(_detectorRow[i] * _statistics));
        }
        var inputs = new DetectorInputs(plain.Logits, plain.Penultimate, plain.PatternLayer)
        {
            FingerprintScores = heldOutScores, FingerprintStatistics = statistics, FingerprintStatisticCount = _statistics,
        };
        var scores = new double[n];
        var ood = new bool[n];
        var results = new List<DetectorShiftSensitivity>(set.Detectors.Count);
        foreach (var detector in set.Detectors)
        {
            if (!set.HeldOutScores.TryGetValue(detector.Name, out var own)) continue;
            detector.Evaluate(inputs, scores, ood);
            results.Add(new DetectorShiftSensitivity(detector.Name, OodMetrics.Compute(own, scores).Auroc, (double)ood.Count(o => o) / n));
        }
        return [.. results.OrderByDescending(r => r.Auroc).ThenBy(r => r.Detector, StringComparer.Ordinal)];
    }

    /// <summary>Per shift, each statistic alone on the copies against the calibration records' values, read the way the shift moves it; the best few.</summary>
    /// <param name="included">Per statistic, whether the fingerprint's verdict reads it.</param>
    private StatisticShiftSensitivity[][] StatisticsAlone(IReadOnlyList<float[]> calibration, IReadOnlyList<string> names, bool[] included)
    {
        if (names.Count != _statistics || calibration.Count != _statistics)
            throw new ArgumentException($"The self-check keeps {_statistics} statistics; {names.Count} names and {calibration.Count} calibration columns were given.", nameof(names));
        var results = _shifts.Take(_checks).Select(_ => new StatisticShiftSensitivity[_statistics]).ToArray();
        var shifted = new double[_positions.Length];
        for (var j = 0; j < _statistics; j++)
        {
            var own = Array.ConvertAll(calibration[j], v => (double)v);
            for (var s = 0; s < _checks; s++)
            {
                var auroc = AurocAlone(own, s, j, shifted);
                results[s][j] = new StatisticShiftSensitivity(names[j], Math.Max(auroc, 1 - auroc), auroc < 0.5, NotRead: !included[j]);
            }
        }
        return [.. results.Select(r => r.OrderByDescending(t => t.Auroc).ThenBy(t => t.Statistic, StringComparer.Ordinal).Take(SelfCheckSummary.StatisticsKept).ToArray())];
    }

    /// <summary>
    /// Per statistic, how far the response shifts move it: its AUROC alone on their copies against the calibration records'
    /// values, read the way the shift moves it (≥ 0.5), the largest over the response shifts; null when none was planned.
    /// </summary>
    public double[]? Responses(IReadOnlyList<float[]> calibration)
    {
        if (_checks == _shifts.Length) return null;
        if (_next != _positions.Length) throw new InvalidOperationException($"The self-check saw {_next} of its {_positions.Length} records.");
        var responses = new double[_statistics];
        var shifted = new double[_positions.Length];
        for (var j = 0; j < _statistics; j++)
        {
            var own = Array.ConvertAll(calibration[j], v => (double)v);
            for (var s = _checks; s < _shifts.Length; s++)
            {
                var auroc = AurocAlone(own, s, j, shifted);
                responses[j] = Math.Max(responses[j], Math.Max(auroc, 1 - auroc));
            }
        }
        return responses;
    }

    /// <summary>Statistic <paramref name="statistic"/> alone on shift <paramref name="shift"/>'s copies against the calibration records' values (higher = shifted).</summary>
    private double AurocAlone(double[] calibration, int shift, int statistic, double[] shifted)
    {
        for (var i = 0; i < shifted.Length; i++) shifted[i] = _values[shift][i * _statistics + statistic];
        return OodMetrics.Compute(calibration, shifted).Auroc;
    }

    /// <summary>The response shifts planned, as a reason names them (empty when none were).</summary>
    public string ResponseShifts => string.Join(" and ", _shifts.Skip(_checks).Select(shift => shift switch
    {
        Shift.Mixup => "two-record mixtures",
        Shift.PatchShuffle => "tiles permuted",
        Shift.ColumnResample => "columns resampled from other records",
        _ => Name(shift),
    }));

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

    private enum Shift { Blur, LowContrast, Occlusion, AdditiveNoise, FeatureNoise, Mixup, PatchShuffle, ColumnResample }

    private FloatTensor Apply(Shift shift, FloatTensor records, FloatTensor? partners, int firstRecord)
    {
        var scale = _scale!;
        return shift switch
        {
            Shift.Blur => Corruptions.Blur(records, BlurSigma(records)),
            Shift.LowContrast => Corruptions.LowContrast(records, 0.3f, (float)scale.Mean),
            Shift.Occlusion => Corruptions.Occlusion(records, 2, PatchSide(records), _seed ^ 2001, (float)scale.Mean, firstRecord),
            Shift.AdditiveNoise => Corruptions.AdditiveNoise(records, 0.5 * scale.Spread, _seed ^ 2002, scale.Low, scale.High, firstRecord),
            Shift.Mixup => Corruptions.Mixup(records, partners!),
            Shift.PatchShuffle => Corruptions.PatchShuffle(records, 4, _seed ^ 4001, firstRecord),
            Shift.ColumnResample => Corruptions.ColumnResample(records, partners!, 0.3, _seed ^ 4002, firstRecord),
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
