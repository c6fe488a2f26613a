using NeuralFP.Application.Drift;

namespace NeuralFP.Application.Ports;

/// <summary>
/// The drift windows: one row per model. Like the registry, a write succeeds only if the row is unchanged since it
/// was read (version tag), so concurrent writers never lose each other's outcomes: the loser reads again and reapplies.
/// </summary>
public interface IDriftStore
{
    Task<DriftWindowRecord?> GetAsync(string modelId, CancellationToken cancellationToken);

    /// <summary>
    /// Adds the row (when <paramref name="record"/> has no version tag) or replaces it if it still carries that tag.
    /// Returns the stored record with its new tag, or null when another writer got there first.
    /// </summary>
    Task<DriftWindowRecord?> TryWriteAsync(DriftWindowRecord record, CancellationToken cancellationToken);
}
