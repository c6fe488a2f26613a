using Azure;
using global::Azure.Data.Tables;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Azure.Tables;

/// <summary>
/// The registry table: one row per model. Writers never overwrite blindly: <see cref="TryUpdateAsync"/>
/// succeeds only if the row still has the ETag it was read with, so concurrent invocations cannot lose
/// each other's changes.
/// </summary>
public sealed class TableModelRegistry(StorageClients clients, StorageResilience resilience, TimeProvider? time = null) : IModelRegistry
{
    private readonly TableClient _table = clients.Registry;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<ModelRecord?> GetAsync(string modelId, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var response = await resilience.ExecuteAsync(
            async ct => await _table.GetEntityIfExistsAsync<TableEntity>(ModelRecordMapper.Partition, modelId, cancellationToken: ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return response.HasValue ? ModelRecordMapper.FromEntity(response.Value!) : null;
    }

    /// <summary>One cheap round trip to the table (for health checks).</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
        => await resilience.Ping.ExecuteAsync(
            async ct => await _table.GetEntityIfExistsAsync<TableEntity>("health", "ping", cancellationToken: ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);

    public Task<IReadOnlyList<ModelRecord>> ListAsync(CancellationToken cancellationToken)
        => QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {ModelRecordMapper.Partition}"), cancellationToken);

    public Task<IReadOnlyList<ModelRecord>> ListAsync(IReadOnlyCollection<ModelStatus> statuses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        if (statuses.Count == 0) return Task.FromResult<IReadOnlyList<ModelRecord>>([]);
        var anyStatus = string.Join(" or ", statuses.Select(s => TableClient.CreateQueryFilter($"Status eq {ModelRecordMapper.StatusText(s)}")));
        return QueryAsync($"{TableClient.CreateQueryFilter($"PartitionKey eq {ModelRecordMapper.Partition}")} and ({anyStatus})", cancellationToken);
    }

    private async Task<IReadOnlyList<ModelRecord>> QueryAsync(string filter, CancellationToken cancellationToken)
        => await resilience.ExecuteAsync(async ct =>
        {
            var records = new List<ModelRecord>();
            await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: ct).ConfigureAwait(false))
                records.Add(ModelRecordMapper.FromEntity(entity));
            return (IReadOnlyList<ModelRecord>)records.OrderBy(r => r.ModelId, StringComparer.Ordinal).ToList();
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>Reads the row, creating a <see cref="ModelStatus.Pending"/> one when the model is new.</summary>
    public async Task<ModelRecord> GetOrAddAsync(string modelId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var existing = await GetAsync(modelId, cancellationToken).ConfigureAwait(false);
            if (existing is not null) return existing;
            var now = _time.GetUtcNow();
            var created = await TryAddAsync(new ModelRecord { ModelId = modelId, CreatedAt = now, UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
            if (created is not null) return created;
        }
    }

    /// <summary>Adds a new row; null when a row for the model already exists.</summary>
    public async Task<ModelRecord?> TryAddAsync(ModelRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ModelIds.Validate(record.ModelId);
        try
        {
            // A registry table deleted under the running app is created again, as at start: a new model's first write
            // would otherwise fail for good.
            var response = await resilience.WriteCreatingAsync(
                async ct => await _table.AddEntityAsync(ModelRecordMapper.ToEntity(record), ct).ConfigureAwait(false),
                async ct => await _table.CreateIfNotExistsAsync(ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            return record with { ETag = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }
    }

    /// <summary>
    /// Replaces the row if it still carries <paramref name="record"/>'s ETag; returns the stored record with its
    /// new ETag, or null when someone else changed the row first (read it again and decide again).
    /// </summary>
    public async Task<ModelRecord?> TryUpdateAsync(ModelRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.ETag is null) throw new ArgumentException("Only a record read from the registry (with its ETag) can be updated.", nameof(record));
        var stamped = record with { UpdatedAt = _time.GetUtcNow() };
        try
        {
            var response = await resilience.ExecuteAsync(
                async ct => await _table.UpdateEntityAsync(ModelRecordMapper.ToEntity(stamped), new ETag(record.ETag), TableUpdateMode.Replace, ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            return stamped with { ETag = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return null; // changed or removed (with its table, too: the next read finds no row, and adding one creates the table)
        }
    }
}
