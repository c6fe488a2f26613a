using Azure;
using global::Azure.Data.Tables;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Azure.Tables;

/// <summary>
/// The drift table: one row per model. Like the registry, a write succeeds only if the row is unchanged since it
/// was read (ETag), so concurrent writers never lose each other's outcomes: the loser reads again and reapplies.
/// </summary>
public sealed class TableDriftStore(StorageClients clients, StorageResilience resilience) : IDriftStore
{
    private readonly TableClient _table = clients.Drift;

    public async Task<DriftWindowRecord?> GetAsync(string modelId, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var response = await resilience.ExecuteAsync(
            async ct => await _table.GetEntityIfExistsAsync<TableEntity>(DriftWindowMapper.Partition, modelId, cancellationToken: ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return response.HasValue ? DriftWindowMapper.FromEntity(response.Value!) : null;
    }

    /// <summary>
    /// Adds the row (when <paramref name="record"/> has no ETag) or replaces it if it still carries that ETag.
    /// Returns the stored record with its new ETag, or null when another writer got there first.
    /// </summary>
    public async Task<DriftWindowRecord?> TryWriteAsync(DriftWindowRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entity = DriftWindowMapper.ToEntity(record);
        try
        {
            var response = await resilience.ExecuteAsync(async ct => record.ETag is null
                    ? await _table.AddEntityAsync(entity, ct).ConfigureAwait(false)
                    : await _table.UpdateEntityAsync(entity, new ETag(record.ETag), TableUpdateMode.Replace, ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            return record with { ETag = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412 or 404)
        {
            return null;
        }
    }
}
