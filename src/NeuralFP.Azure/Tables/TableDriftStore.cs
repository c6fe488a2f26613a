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
    /// deleted under the running app is created again (as at start) and the write tried once more.
    /// </summary>
    /// <exception cref="Application.Errors.StorageRejectedException">Storage refused the write for a reason retrying will not fix.</exception>
    public async Task<DriftWindowRecord?> TryWriteAsync(DriftWindowRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entity = DriftWindowMapper.ToEntity(record);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var response = await resilience.ExecuteAsync(async ct => record.ETag is null
                        ? await _table.AddEntityAsync(entity, ct).ConfigureAwait(false)
                        : await _table.UpdateEntityAsync(entity, new ETag(record.ETag), TableUpdateMode.Replace, ct).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
                return record with { ETag = response.Headers.ETag?.ToString() };
            }
            catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == global::Azure.Data.Tables.Models.TableErrorCode.TableNotFound && attempt == 1)
            {
                await CreateTableAsync(cancellationToken).ConfigureAwait(false);
                // A row known by ETag went with the table: the caller reads again (finds none) and adds it.
                if (record.ETag is not null) return null;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 || (e.Status == 404 && e.ErrorCode != global::Azure.Data.Tables.Models.TableErrorCode.TableNotFound))
            {
                return null; // another writer changed or removed the row
            }
            catch (RequestFailedException e) when (StorageResilience.AsRejection(e, Target) is { } rejected)
            {
                throw rejected;
            }
        }
    }

    private async Task CreateTableAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A table deleted a moment ago may not be creatable for a while (409 TableBeingDeleted, which this call
            // swallows): the write that follows then fails as missing, and a later flush tries again.
            await resilience.ExecuteAsync(async ct => await _table.CreateIfNotExistsAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (StorageResilience.AsRejection(e, Target) is { } rejected)
        {
            throw rejected;
        }
    }

    private string Target => $"the drift table '{_table.Name}'";
}
