using System.Text.Json;

namespace NeuralFP.Core.Fingerprints;

/// <summary>The artifact: <c>fingerprint.json</c> (the manifest) and <c>scorer.onnx</c> (model fused with its autoencoders).</summary>
public sealed class Fingerprint
{
    public const string ManifestFileName = "fingerprint.json";
    public const string ScorerFileName = "scorer.onnx";

    public Fingerprint(FingerprintManifest manifest, byte[] scorerOnnx, DetectorSet? detectors = null)
        : this(manifest, scorerOnnx, new Lazy<DetectorSet>(detectors ?? new DetectorSet(null, [])))
    {
    }

    private Fingerprint(FingerprintManifest manifest, byte[] scorerOnnx, Lazy<DetectorSet> detectors)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(scorerOnnx);
        if (manifest.FormatVersion != FingerprintManifest.CurrentFormatVersion)
            throw new InvalidDataException($"Fingerprint format version {manifest.FormatVersion} is not supported (this build reads version {FingerprintManifest.CurrentFormatVersion}); rebuild the fingerprint.");
        Manifest = manifest;
        ScorerOnnx = scorerOnnx;
        _detectors = detectors;
    }

    private readonly Lazy<DetectorSet> _detectors;

    public FingerprintManifest Manifest { get; }

    public byte[] ScorerOnnx { get; }

    /// <summary>The other detectors fitted from the same activations (empty when none were).</summary>
    /// <exception cref="InvalidDataException">Loaded by <see cref="LoadAsync"/>, whose detectors are read on first use, from a <c>detectors.json</c> this version cannot read.</exception>
    public DetectorSet Detectors => _detectors.Value;

    /// <summary>File name → bytes, as stored under <c>fingerprints/{modelId}/{version}/</c>.</summary>
    public IReadOnlyDictionary<string, byte[]> ToFiles()
    {
        var files = new Dictionary<string, byte[]>
        {
            [ManifestFileName] = JsonSerializer.SerializeToUtf8Bytes(Manifest, FingerprintJson.Options),
            [ScorerFileName] = ScorerOnnx,
        };
        if (Detectors.Detectors.Count > 0) files[DetectorSet.FileName] = Detectors.ToJson();
        return files;
    }

    /// <exception cref="InvalidDataException">A file is missing or the manifest cannot be read.</exception>
    public static Fingerprint FromFiles(IReadOnlyDictionary<string, byte[]> files) => FromFiles(files, deferDetectors: false);

    /// <param name="deferDetectors">Read <c>detectors.json</c> on first use of <see cref="Detectors"/> rather than now: plain
    /// scoring never reads it, and parsing it is a good part of a short process's start-up (<c>nfp score</c>).</param>
    private static Fingerprint FromFiles(IReadOnlyDictionary<string, byte[]> files, bool deferDetectors)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!files.TryGetValue(ManifestFileName, out var manifestBytes))
            throw new InvalidDataException($"The fingerprint has no {ManifestFileName}.");
        if (!files.TryGetValue(ScorerFileName, out var scorer))
            throw new InvalidDataException($"The fingerprint has no {ScorerFileName}.");
        FingerprintManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<FingerprintManifest>(manifestBytes, FingerprintJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{ManifestFileName} cannot be read: {e.Message}", e);
        }
        if (manifest is null) throw new InvalidDataException($"{ManifestFileName} is empty.");
        manifest = manifest with { Options = OptionsAsBuilt(manifest.Options, manifestBytes) };
        if (!files.TryGetValue(DetectorSet.FileName, out var detectorBytes)) return new Fingerprint(manifest, scorer);
        return deferDetectors
            ? new Fingerprint(manifest, scorer, new Lazy<DetectorSet>(() => DetectorSet.FromJson(detectorBytes), LazyThreadSafetyMode.ExecutionAndPublication))
            : new Fingerprint(manifest, scorer, DetectorSet.FromJson(detectorBytes));
    }

    /// <summary>
    /// A manifest written before an option existed lacks its name, and its fingerprint was built without it: the options
    /// it echoes say so, rather than today's default (the stored integration scores as built either way).
    /// </summary>
    private static FingerprintOptions OptionsAsBuilt(FingerprintOptions options, byte[] manifestBytes)
    {
        var bytes = manifestBytes.AsSpan();
        if (bytes.IndexOf("\"foldErrorsAtMedian\""u8) < 0) options = options with { FoldErrorsAtMedian = false };
        if (bytes.IndexOf("\"foldInputErrorAtMedian\""u8) < 0) options = options with { FoldInputErrorAtMedian = true };
        if (bytes.IndexOf("\"statisticResponseBar\""u8) < 0) options = options with { StatisticResponseBar = 0 };
        if (bytes.IndexOf("\"inputMarginalBins\""u8) < 0) options = options with { InputMarginalBins = 0 };
        if (bytes.IndexOf("\"errorWeightFloor\""u8) < 0) options = options with { ErrorWeightFloor = 0 };
        return options;
    }

    public async Task SaveAsync(string directory, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, bytes) in ToFiles())
            await File.WriteAllBytesAsync(Path.Combine(directory, name), bytes, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<Fingerprint> LoadAsync(string directory, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"No fingerprint directory at '{directory}'; build one with `nfp fingerprint --out {directory}`.");
        var files = new Dictionary<string, byte[]>();
        foreach (var name in new[] { ManifestFileName, ScorerFileName, DetectorSet.FileName })
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path)) files[name] = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        return FromFiles(files, deferDetectors: true);
    }
}
