using NeuralFP.Application.Registry;

namespace NeuralFP.Application.Ports;

/// <summary>
/// The registry: one row per model. Writers never overwrite blindly: <see cref="TryUpdateAsync"/> succeeds only
/// if the row still has the version tag (<see cref="ModelRecord.ETag"/>) it was read with, so concurrent
/// invocations cannot lose each other's changes.
/// </summary>
public interface IModelRegistry
{
    Task<ModelRecord?> GetAsync(string modelId, CancellationToken cancellationToken);

    /// <summary>Every model, ordered by id.</summary>
    Task<IReadOnlyList<ModelRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The models in one of <paramref name="statuses"/>, ordered by id; the store filters, so other rows are not read.</summary>
    Task<IReadOnlyList<ModelRecord>> ListAsync(IReadOnlyCollection<ModelStatus> statuses, CancellationToken cancellationToken);

    /// <summary>Reads the row, creating a <see cref="ModelStatus.Pending"/> one when the model is new.</summary>
    Task<ModelRecord> GetOrAddAsync(string modelId, CancellationToken cancellationToken);

    /// <summary>Adds a new row; null when a row for the model already exists.</summary>
    Task<ModelRecord?> TryAddAsync(ModelRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the row if it still carries <paramref name="record"/>'s version tag; returns the stored record with
    /// its new tag, or null when someone else changed the row first (read it again and decide again).
    /// </summary>
    Task<ModelRecord?> TryUpdateAsync(ModelRecord record, CancellationToken cancellationToken);

    /// <summary>One cheap round trip to the store (for health checks).</summary>
    Task PingAsync(CancellationToken cancellationToken);
}
