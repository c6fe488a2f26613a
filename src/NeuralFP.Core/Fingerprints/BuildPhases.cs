using System.Diagnostics;
using System.Globalization;

namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// One phase of a build: wall seconds, the process's CPU seconds over the same span (every thread), and the process's
/// peak resident memory so far in MiB (which phase raised it shows where a build's memory goes).
/// </summary>
public sealed record BuildPhase(string Name, double WallSeconds, double CpuSeconds, double PeakMiB = double.NaN);

/// <summary>
/// Where a build's time goes, phase by phase, in order: reported as one progress line and kept on the build's outcome
/// (the build benchmark prints it). CPU time is the whole process's, so it is exact only when the build is the
/// process's only work (the CLI, the benchmark); the service's figures include its other requests.
/// </summary>
internal sealed class BuildPhases
{
    private readonly List<BuildPhase> _phases = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _wallMark, _cpuMark = ProcessCpu();

    public IReadOnlyList<BuildPhase> Phases => _phases;

    /// <summary>Closes the phase that ran since the previous mark (or since construction).</summary>
    public void Mark(string name)
    {
        TimeSpan wall = _clock.Elapsed, cpu = ProcessCpu();
        using var process = Process.GetCurrentProcess();
        _phases.Add(new BuildPhase(name, (wall - _wallMark).TotalSeconds, (cpu - _cpuMark).TotalSeconds, process.PeakWorkingSet64 / 1048576.0));
        _wallMark = wall;
        _cpuMark = cpu;
    }

    /// <summary>Adds a phase measured inside another (e.g. reading, inside the pass that also runs the model); not counted twice in <see cref="ToString"/>'s total.</summary>
    public void AddNested(string name, double wallSeconds) => _phases.Add(new BuildPhase(name, wallSeconds, double.NaN));

    /// <summary>"phase wall s (CPU s, peak MiB so far), …" in order; nested phases show wall time only.</summary>
    public override string ToString() => string.Join(", ", _phases.Select(p => double.IsNaN(p.CpuSeconds)
        ? string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.WallSeconds:F2} s")
        : string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.WallSeconds:F2} s ({p.CpuSeconds:F2} s CPU, peak {p.PeakMiB:F0} MiB)")));

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}

/// <summary>Wraps a sequence and adds up the wall time its producer takes to yield each item (the reading of a streamed pass).</summary>
internal sealed class TimedSequence<T>(IEnumerable<T> inner)
{
    private long _ticks;

    public double Seconds => (double)_ticks / Stopwatch.Frequency;

    public IEnumerable<T> Items()
    {
        using var enumerator = inner.GetEnumerator();
        while (true)
        {
            var start = Stopwatch.GetTimestamp();
            var more = enumerator.MoveNext();
            _ticks += Stopwatch.GetTimestamp() - start;
            if (!more) yield break;
            yield return enumerator.Current;
        }
    }
}
