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
        try
        {
            var response = await resilience.ExecuteAsync(
                async ct => await _table.GetEntityIfExistsAsync<TableEntity>(DriftWindowMapper.Partition, modelId, cancellationToken: ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            return response.HasValue ? DriftWindowMapper.FromEntity(response.Value!) : null;
        }
        catch (RequestFailedException e) when (StorageResilience.AsRejection(e, Target) is { } rejected)
        {
            throw rejected;
        }
    }

    /// <summary>
    /// Adds the row (when <paramref name="record"/> has no ETag) or replaces it if it still carries that ETag.
    /// Returns the stored record with its new ETag, or null when another writer got there first. A table that was
    /// deleted under the running app is created again (as at start); a row known by ETag went with it, so the caller
    /// reads again (finds none) and adds it.
    /// </summary>
    /// <exception cref="Application.Errors.StorageRejectedException">Storage refused the write for a reason retrying will not fix.</exception>
    public async Task<DriftWindowRecord?> TryWriteAsync(DriftWindowRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entity = DriftWindowMapper.ToEntity(record);
        try
        {
            var response = await resilience.WriteCreatingAsync(async ct => record.ETag is null
                    ? await _table.AddEntityAsync(entity, ct).ConfigureAwait(false)
                    : await _table.UpdateEntityAsync(entity, new ETag(record.ETag), TableUpdateMode.Replace, ct).ConfigureAwait(false),
                async ct => await _table.CreateIfNotExistsAsync(ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            return record with { ETag = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412 || (e.Status == 404 && !StorageResilience.IsMissingTarget(e)))
        {
            return null; // another writer changed or removed the row
        }
        catch (RequestFailedException e) when (StorageResilience.AsRejection(e, Target) is { } rejected)
        {
            throw rejected;
        }
    }

    private string Target => $"the drift table '{_table.Name}'";
}
