using NeuralFP.Core.Detectors;
using NeuralFP.Core.Explanations;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Matching;
using NeuralFP.Core.Verdicts;
using NeuralFP.Contracts;

namespace NeuralFP.Client;

/// <summary>What the client adds to the API's bodies.</summary>
public static class ContractExtensions
{
    /// <summary><see cref="HealthReport.Status"/> is <c>healthy</c>: storage answers.</summary>
    public static bool IsHealthy(this HealthReport report) => string.Equals(report.Status, "healthy", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Options of a verdicts request.</summary>
public sealed record VerdictsOptions
{
    /// <summary>Each verdict also carries its per-layer evidence (error, p-value, fired; <c>?detail=layers</c>).</summary>
    public bool Layers { get; init; }

    /// <summary>Add one explanation per verdict (deciding layer, top input features, heatmap).</summary>
    public bool Explain { get; init; }

    /// <summary>Input features per explanation (1–1000; null = the service's default, 10).</summary>
    public int? Top { get; init; }
}

/// <summary>
/// The fingerprint archive of a model's current version, or <see cref="NotModified"/> when the caller's ETag is still
/// current. Dispose it to release the response.
/// </summary>
public sealed class FingerprintDownload : IAsyncDisposable, IDisposable
{
    private readonly HttpResponseMessage _response;

    internal FingerprintDownload(HttpResponseMessage response, Stream? content)
    {
        _response = response;
        Content = content;
        NotModified = response.StatusCode == System.Net.HttpStatusCode.NotModified;
        ETag = response.Headers.ETag?.ToString();
        ModelSha256 = Header(response, NeuralFpClient.ModelSha256Header);
        Version = int.TryParse(Header(response, NeuralFpClient.ModelVersionHeader), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    /// <summary>True for a 304: the archive the caller holds (its ETag) is still the current one; <see cref="Content"/> is null.</summary>
    public bool NotModified { get; }

    /// <summary>The archive's strong entity tag (quoted), to send as <c>ifNoneMatch</c> next time.</summary>
    public string? ETag { get; }

    /// <summary>The fingerprint version (from <c>X-NeuralFP-Model-Version</c>).</summary>
    public int? Version { get; }

    /// <summary>SHA-256 of the model the fingerprint belongs to (from <c>X-NeuralFP-Model-Sha256</c>).</summary>
    public string? ModelSha256 { get; }

    /// <summary>The zip archive, streamed from the response (read it with <c>EdgeFingerprint.LoadAsync</c>); null when not modified.</summary>
    public Stream? Content { get; }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public async ValueTask DisposeAsync()
    {
        if (Content is not null) await Content.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
    }

    public void Dispose()
    {
        Content?.Dispose();
        _response.Dispose();
    }
}
