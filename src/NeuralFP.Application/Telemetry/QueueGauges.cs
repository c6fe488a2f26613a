using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace NeuralFP.Application.Telemetry;

/// <summary>
/// Queue depth, age of the oldest message and poison-queue depth as observable gauges. Reading a queue's
/// properties is a network call, so a poller stores the last reading here and the gauges report it.
/// </summary>
public sealed class QueueGauges
{
    private readonly ConcurrentDictionary<string, QueueReading> _readings = new(StringComparer.Ordinal);

    internal QueueGauges(Meter meter)
    {
        meter.CreateObservableGauge("neuralfp.queue.depth", () => Measure(r => r.Depth, poison: false), "{message}", "Approximate messages waiting, by queue.");
        meter.CreateObservableGauge("neuralfp.queue.oldest.age", () => Measure(r => r.OldestAge.TotalSeconds, poison: false), "s", "Age of the oldest waiting message, by queue.");
        meter.CreateObservableGauge("neuralfp.queue.poison.depth", () => Measure(r => r.Depth, poison: true), "{message}", "Messages that failed every attempt and wait in a poison queue.");
    }

    /// <summary>Stores a reading; <paramref name="poison"/> marks a poison queue.</summary>
    public void Report(string queue, long depth, TimeSpan oldestAge, bool poison)
        => _readings[queue] = new QueueReading(depth, oldestAge < TimeSpan.Zero ? TimeSpan.Zero : oldestAge, poison);

    public bool TryGet(string queue, out long depth, out TimeSpan oldestAge)
    {
        var found = _readings.TryGetValue(queue, out var reading);
        depth = reading?.Depth ?? 0;
        oldestAge = reading?.OldestAge ?? TimeSpan.Zero;
        return found;
    }

    private IEnumerable<Measurement<T>> Measure<T>(Func<QueueReading, T> value, bool poison) where T : struct
    {
        foreach (var (queue, reading) in _readings)
        {
            if (reading.Poison == poison)
                yield return new Measurement<T>(value(reading), new KeyValuePair<string, object?>(TelemetryTags.Queue, queue));
        }
    }

    private sealed record QueueReading(long Depth, TimeSpan OldestAge, bool Poison);
}
