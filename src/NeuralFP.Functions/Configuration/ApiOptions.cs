using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Configuration;

/// <summary>Limits on what one HTTP request may carry, and the local function key. Validated at start-up.</summary>
public sealed record ApiOptions
{
    public long MaxRequestBytes { get; set; } = 16L << 20;

    public int MaxRecordsPerRequest { get; set; } = 4096;

    /// <summary>Largest record (values per record, the product of its dimensions).</summary>
    public int MaxRecordValues { get; set; } = 1 << 20;

    /// <summary>When set, every function except health and the OpenAPI document needs this key in <c>x-functions-key</c> (or <c>?code=</c>).
    /// In Azure the Functions host checks keys itself and this stays unset.</summary>
    public string? FunctionKey { get; set; }

    public void Validate()
    {
        if (MaxRequestBytes is < 1024 or > (2L << 30))
            throw new ArgumentOutOfRangeException(nameof(MaxRequestBytes), MaxRequestBytes, $"{SettingNames.MaxRequestBytes} must be between 1 KiB and 2 GiB.");
        if (MaxRecordsPerRequest < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxRecordsPerRequest), MaxRecordsPerRequest, $"{SettingNames.MaxRecordsPerRequest} must be at least 1.");
        if (MaxRecordValues < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxRecordValues), MaxRecordValues, $"{SettingNames.MaxRecordValues} must be at least 1.");
        if (FunctionKey is { Length: < 16 })
            throw new ArgumentException($"{SettingNames.FunctionKey} must be at least 16 characters when set.", nameof(FunctionKey));
    }
}
