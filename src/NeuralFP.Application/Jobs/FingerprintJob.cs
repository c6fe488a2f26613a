using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Telemetry;

namespace NeuralFP.Application.Jobs;

/// <summary>
/// Builds a model's fingerprint from what is in <c>models/{modelId}/</c>, whichever file landed last.
/// Claims the build in the registry (ETag-guarded), writes the artifact under a fresh version, and
/// only then makes it current. Same content as the current version (by SHA-256) does nothing.
/// </summary>
public sealed class FingerprintJob(
    IModelRegistry registry,
    IModelFileStore models,
    IFingerprintStore fingerprints,
    ServiceOptions options,
    ILogger<FingerprintJob>? logger = null,
    TimeProvider? time = null,
    ServiceTelemetry? telemetry = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<FingerprintOutcome> RunAsync(string modelId, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var record = await registry.GetOrAddAsync(modelId, cancellationToken).ConfigureAwait(false);

        BlobContent? model, optionsFile, manifestFile;
        LocalFile? reference;
        UploadManifest? manifest = null;
        try
        {
            // The commit point first: without it (when required) nothing else is worth downloading yet.
            manifestFile = await models.DownloadManifestAsync(modelId, cancellationToken).ConfigureAwait(false);
            if (manifestFile is null && options.RequireManifest)
                return await WaitForFilesAsync(modelId, ModelFiles.Manifest, cancellationToken).ConfigureAwait(false);
            if (manifestFile is not null) manifest = UploadManifest.Parse(manifestFile.Bytes);
            model = await models.DownloadModelAsync(modelId, cancellationToken).ConfigureAwait(false);
            // Streamed to a temporary file: the build reads it batch by batch, never whole.
            reference = await models.DownloadReferenceToFileAsync(modelId, cancellationToken).ConfigureAwait(false);
            optionsFile = await models.DownloadOptionsAsync(modelId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InputTooLargeException or InvalidManifestException)
        {
            return await FailUnclaimedAsync(modelId, e.Message, cancellationToken).ConfigureAwait(false);
        }

        using var referenceFile = reference;
        if (manifest is not null)
        {
            // Options the manifest does not name are not part of the upload: defaults apply.
            if (manifest.OptionsSha256 is null) optionsFile = null;
            var waiting = manifest.Mismatches(model is null ? null : Sha256(model.Bytes), reference?.Sha256, optionsFile is null ? null : Sha256(optionsFile.Bytes));
            if (waiting.Count > 0)
                return await WaitForFilesAsync(modelId, $"{string.Join(", ", waiting)} as named in {ModelFiles.Manifest}", cancellationToken).ConfigureAwait(false);
        }
        if (model is null || reference is null)
            return await WaitForFilesAsync(modelId, model is null ? ModelFiles.Model : ModelFiles.Reference, cancellationToken).ConfigureAwait(false);

        var hashes = new ContentHashes(Sha256(model.Bytes), reference.Sha256, Sha256(optionsFile?.Bytes ?? []));
        var claim = await ClaimAsync(modelId, hashes, cancellationToken).ConfigureAwait(false);
        if (claim.Outcome is not null) return claim.Outcome;
        var version = claim.Version;

        TelemetryTags.Enrich(Activity.Current, modelId, version);
        using var scope = _logger.BeginScope(TelemetryTags.Scope(modelId, version));
        _logger.LogInformation("Model {ModelId}: building fingerprint version {Version} (model {ModelSha}, reference {ReferenceSha}).", modelId, version, hashes.Model[..12], hashes.Reference[..12]);
        var stopwatch = Stopwatch.StartNew();
        var outcome = "failed";
        try
        {
            // The lease is renewed while the build works; losing it (a newer claim, or a takeover after a stall) stops the build.
            await using var lease = LeaseKeeper.Start(registry, modelId, version, options.FingerprintLease, _time, _logger, cancellationToken);
            try
            {
                var built = await BuildAsync(modelId, version, hashes, model, reference, optionsFile, stopwatch, lease.Token).ConfigureAwait(false);
                outcome = built.Kind.ToString().ToLowerInvariant();
                return built;
            }
            catch (OperationCanceledException) when (lease.Lost && !cancellationToken.IsCancellationRequested)
            {
                outcome = "superseded";
                return new FingerprintOutcome(modelId, FingerprintOutcomeKind.Superseded, version, $"Version {version} lost its lease to a newer claim.");
            }
        }
        finally
        {
            telemetry?.FingerprintBuildDuration.Record(stopwatch.Elapsed.TotalSeconds,
                new KeyValuePair<string, object?>(TelemetryTags.ModelId, modelId), new KeyValuePair<string, object?>(TelemetryTags.Outcome, outcome));
        }
    }

    private async Task<FingerprintOutcome> BuildAsync(string modelId, int version, ContentHashes hashes, BlobContent model, LocalFile reference, BlobContent? optionsFile, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        Fingerprint fingerprint;
        try
        {
            var buildOptions = ParseOptions(optionsFile);
            var records = RecordSource.FromNpy(reference.OpenRead);
            fingerprint = await FingerprintBuilder.BuildAsync(model.Bytes, records, buildOptions, options.Limits, new BuildLog(_logger, modelId, version), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsBadInput(e))
        {
            var reason = Describe(e);
            _logger.LogWarning("Model {ModelId}: version {Version} cannot be built: {Reason}", modelId, version, reason);
            await MarkFailedAsync(modelId, version, reason, permanent: true, CancellationToken.None).ConfigureAwait(false);
            return new FingerprintOutcome(modelId, FingerprintOutcomeKind.Failed, version, reason);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Release the claim now rather than when the lease runs out, so the retry can build at once.
            await MarkFailedAsync(modelId, version, "Interrupted before it finished (the app stopped or the invocation was cancelled); the build will be retried.", permanent: false, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError(e, "Model {ModelId}: version {Version} failed unexpectedly.", modelId, version);
            await MarkFailedAsync(modelId, version, $"Internal error while fingerprinting ({e.GetType().Name}: {e.Message}); the build will be retried.", permanent: false, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        // Artifact first, registry second: the registry never points at files that are not all there.
        try
        {
            await fingerprints.WriteAsync(modelId, version, fingerprint.ToFiles(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not the content's fault: failed, not permanent, so the sweep retries with a growing back-off and the model
            // recovers by itself once storage takes the artifact (left to the lease, it would end failed for good after a
            // few takeovers as if the build crashed).
            var reason = e is StorageRejectedException rejected
                ? $"The fingerprint was built but could not be stored: {rejected.Message} The build is retried with a growing back-off (at most every {FingerprintSweep.MaxRetryDelay.TotalMinutes:0} min) until it can be."
                : $"The fingerprint was built but could not be stored ({e.GetType().Name}: {e.Message}); the build will be retried.";
            _logger.LogError("Model {ModelId}: version {Version}: {Reason}", modelId, version, reason);
            await MarkFailedAsync(modelId, version, reason, permanent: false, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        var (layers, inputShape, calibration, selfCheck, integration, detectors) = ManifestSummary.From(fingerprint.Manifest);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        while (true)
        {
            var current = await registry.GetAsync(modelId, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"Registry row of '{modelId}' vanished during its build.");
            if (current.BuildingVersion != version)
            {
                _logger.LogInformation("Model {ModelId}: version {Version} was superseded by version {Other} while building; leaving it unused.", modelId, version, current.BuildingVersion);
                await fingerprints.DeleteAsync(modelId, version, cancellationToken).ConfigureAwait(false);
                return new FingerprintOutcome(modelId, FingerprintOutcomeKind.Superseded, version, $"Superseded by version {current.BuildingVersion}.");
            }
            var ready = current.AsReady() with
            {
                CurrentVersion = version,
                CurrentHashes = hashes,
                Layers = layers,
                Detectors = [.. detectors.Select(d => d.Name)],
                DetectorSummaries = detectors,
                InputShape = inputShape,
                Calibration = calibration,
                SelfCheck = selfCheck,
                Integration = integration,
                BuildSeconds = seconds,
                ReadyAt = _time.GetUtcNow(),
                // A new calibration starts a new drift window: an alarm on the old version is over.
                DriftAlarm = false,
                DriftAlarmSince = null,
            };
            if (await registry.TryUpdateAsync(ready, cancellationToken).ConfigureAwait(false) is not null)
            {
                _logger.LogInformation("Model {ModelId}: version {Version} is ready ({Seconds:F1} s, {Layers} layers).", modelId, version, seconds, layers.Count);
                foreach (var weak in selfCheck?.Weak() ?? [])
                    _logger.LogWarning("Model {ModelId}: version {Version}: the fingerprint sees {Shift} weakly on this model (self-check AUROC {Auroc:F3}, {Flagged:P0} flagged; {Description}); {Instead}.",
                        modelId, version, weak.Shift, weak.Auroc, weak.Flagged, weak.Description,
                        weak.BetterDetector() is { } better ? $"the {better.Detector} detector sees it at AUROC {better.Auroc:F3} (?detector={better.Detector})" : "no detector beside it sees it better");
                foreach (var dilution in selfCheck?.Shifts.Select(s => s.Dilution()).OfType<string>() ?? [])
                    _logger.LogInformation("Model {ModelId}: version {Version}: {Dilution}; fewer layers (layers in fingerprint.json) may see such data better.", modelId, version, dilution);
                return new FingerprintOutcome(modelId, FingerprintOutcomeKind.Built, version, $"Version {version} is ready.");
            }
        }
    }

    private sealed record Claim(int Version, FingerprintOutcome? Outcome);

    private async Task<Claim> ClaimAsync(string modelId, ContentHashes hashes, CancellationToken cancellationToken)
    {
        while (true)
        {
            var record = await registry.GetOrAddAsync(modelId, cancellationToken).ConfigureAwait(false);
            if (record.CurrentVersion is int current && record.CurrentHashes == hashes && await IsReadableAsync(modelId, current, cancellationToken).ConfigureAwait(false))
            {
                if (record.Status != ModelStatus.Ready)
                {
                    // Content was put back to what is current (e.g. after a failed re-upload): current serves again.
                    var restored = record.AsReady();
                    if (await registry.TryUpdateAsync(restored, cancellationToken).ConfigureAwait(false) is null) continue;
                }
                return new Claim(0, new FingerprintOutcome(modelId, FingerprintOutcomeKind.Unchanged, current, $"Version {current} already fingerprints this content."));
            }
            var now = _time.GetUtcNow();
            if (record.IsBuildAlive(now) && record.BuildingHashes == hashes)
                return new Claim(0, new FingerprintOutcome(modelId, FingerprintOutcomeKind.InProgressElsewhere, record.BuildingVersion, $"Version {record.BuildingVersion} is being built from this content."));
            if (record.Status == ModelStatus.Failed && record.FailureIsPermanent && record.BuildingHashes == hashes)
                return new Claim(0, new FingerprintOutcome(modelId, FingerprintOutcomeKind.Unchanged, null, $"This content already failed: {record.FailureReason}"));

            // A stalled build of this content (its owner crashed or was cut off) is taken over, a bounded number of times:
            // content that brings the app down every time must end failed, not loop.
            var stalled = record.IsBuildStalled(now) && record.BuildingHashes == hashes;
            var attempts = record.BuildingHashes == hashes ? record.BuildAttempts + (stalled ? 1 : 0) : 0;
            if (stalled)
                _logger.LogWarning("Model {ModelId}: the build of version {Version} stopped renewing its lease (crashed or cut off); taking it over.", modelId, record.BuildingVersion);
            if (attempts >= options.MaxBuildAttempts)
            {
                var reason = $"The build was cut off {attempts} times before it finished (the app crashed, was stopped or lost its storage each time). " +
                    "If the reference is very large, upload fewer records or a coarser pooling; upload the files again to retry.";
                var failed = record with { Status = ModelStatus.Failed, FailureReason = reason, FailureIsPermanent = true, BuildingVersion = null, BuildStartedAt = null, LeaseExpiresAt = null, BuildAttempts = attempts, UpdatedAt = now };
                if (await registry.TryUpdateAsync(failed, cancellationToken).ConfigureAwait(false) is null) continue;
                _logger.LogWarning("Model {ModelId}: {Reason}", modelId, reason);
                return new Claim(0, new FingerprintOutcome(modelId, FingerprintOutcomeKind.Failed, record.BuildingVersion, reason));
            }

            var version = record.LatestVersion + 1;
            var claimed = record with
            {
                Status = ModelStatus.Fingerprinting,
                FailureReason = null,
                FailureIsPermanent = false,
                LatestVersion = version,
                BuildingVersion = version,
                BuildingHashes = hashes,
                BuildStartedAt = now,
                LeaseExpiresAt = now + options.FingerprintLease,
                BuildAttempts = attempts,
                FailedAttempts = record.BuildingHashes == hashes ? record.FailedAttempts : 0,
            };
            if (await registry.TryUpdateAsync(claimed, cancellationToken).ConfigureAwait(false) is not null)
                return new Claim(version, null);
        }
    }

    /// <summary>Whether this build can load the stored artifact; one that it cannot (an older, incompatible format) is rebuilt rather than kept.</summary>
    private async Task<bool> IsReadableAsync(string modelId, int version, CancellationToken cancellationToken)
    {
        var files = await fingerprints.ReadAsync(modelId, version, cancellationToken).ConfigureAwait(false);
        try
        {
            _ = Fingerprint.FromFiles(files);
            return true;
        }
        catch (InvalidDataException e)
        {
            _logger.LogWarning("Model {ModelId}: version {Version} cannot be read ({Reason}); rebuilding it from the uploaded files.", modelId, version, e.Message);
            return false;
        }
    }

    private async Task<FingerprintOutcome> WaitForFilesAsync(string modelId, string missing, CancellationToken cancellationToken)
    {
        while (true)
        {
            var record = await registry.GetOrAddAsync(modelId, cancellationToken).ConfigureAwait(false);
            // A model that already serves keeps serving when one of its files is removed; only a new model waits.
            if (record.CurrentVersion is not null || record.Status is ModelStatus.Pending or ModelStatus.Fingerprinting)
                return new FingerprintOutcome(modelId, FingerprintOutcomeKind.WaitingForFiles, record.CurrentVersion, $"Waiting for {missing}.");
            var pending = record with { Status = ModelStatus.Pending, FailureReason = null, FailureIsPermanent = false };
            if (await registry.TryUpdateAsync(pending, cancellationToken).ConfigureAwait(false) is not null)
                return new FingerprintOutcome(modelId, FingerprintOutcomeKind.WaitingForFiles, null, $"Waiting for {missing}.");
        }
    }

    private async Task<FingerprintOutcome> FailUnclaimedAsync(string modelId, string reason, CancellationToken cancellationToken)
    {
        while (true)
        {
            var record = await registry.GetOrAddAsync(modelId, cancellationToken).ConfigureAwait(false);
            // Too large is the uploader's to fix: no retry until new content lands.
            var failed = record with { Status = ModelStatus.Failed, FailureReason = reason, FailureIsPermanent = true, BuildingVersion = null, LeaseExpiresAt = null };
            if (await registry.TryUpdateAsync(failed, cancellationToken).ConfigureAwait(false) is not null)
            {
                _logger.LogWarning("Model {ModelId}: {Reason}", modelId, reason);
                return new FingerprintOutcome(modelId, FingerprintOutcomeKind.Failed, null, reason);
            }
        }
    }

    /// <summary>
    /// Records the failure, retrying the write with back-off while storage fails (the failure is often storage itself).
    /// Gives up only after <see cref="FailureWriteBudget"/>; by then the lease has run out and the sweep takes the build over.
    /// </summary>
    private async Task MarkFailedAsync(string modelId, int version, string reason, bool permanent, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + FailureWriteBudget;
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                var record = await registry.GetAsync(modelId, cancellationToken).ConfigureAwait(false);
                if (record is null || record.BuildingVersion != version) return; // A newer claim owns the row now.
                var failed = record with
                {
                    Status = ModelStatus.Failed, FailureReason = reason, FailureIsPermanent = permanent, BuildingVersion = null, BuildStartedAt = null, LeaseExpiresAt = null,
                    FailedAttempts = record.FailedAttempts + (permanent ? 0 : 1), UpdatedAt = _time.GetUtcNow(),
                };
                if (await registry.TryUpdateAsync(failed, cancellationToken).ConfigureAwait(false) is not null) return;
            }
            catch (Exception e) when (e is not OperationCanceledException && _time.GetUtcNow() < deadline)
            {
                _logger.LogWarning("Model {ModelId}: recording the failure of version {Version} failed ({Error}); retrying in {Delay}.", modelId, version, e.Message, delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    /// <summary>How long a build keeps trying to record its own failure.</summary>
    internal static readonly TimeSpan FailureWriteBudget = TimeSpan.FromMinutes(2);

    private static FingerprintOptions ParseOptions(BlobContent? file)
    {
        if (file is null) return new FingerprintOptions();
        try
        {
            return FingerprintOptions.FromJson(System.Text.Encoding.UTF8.GetString(file.Bytes));
        }
        catch (ArgumentException e)
        {
            throw new InvalidFingerprintOptionsException($"{ModelFiles.Options}: {e.Message}");
        }
    }

    private static bool IsBadInput(Exception e) => e is FingerprintInputException or OnnxModelException or NpyFormatException or InvalidRecordsException or InvalidFingerprintOptionsException;

    private static string Describe(Exception e) => e switch
    {
        OnnxModelException => $"{ModelFiles.Model}: {e.Message}",
        NpyFormatException => $"{ModelFiles.Reference}: {e.Message}",
        InvalidRecordsException => $"{ModelFiles.Reference} does not fit the model: {e.Message}",
        _ => e.Message,
    };

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
