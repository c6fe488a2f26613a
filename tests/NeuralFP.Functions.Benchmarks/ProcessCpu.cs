using System.Globalization;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>
/// CPU time (user + system) a process and its descendants have used, from /proc: a cost per request that the machine's
/// load does not inflate the way it inflates latency (a waiting process uses no CPU).
/// </summary>
internal static class ProcessCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>The process alone (every thread), without its children.</summary>
    public static double Own(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    public static double Seconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields 14 and 15 of stat (utime, stime), counted from the state field (3) after the command name.
            var own = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            return own + Children(pid).Sum(Seconds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0; // gone
        }
    }

    private static IEnumerable<int> Children(int pid)
    {
        var tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks)) yield break;
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            var path = Path.Combine(task, "children");
            if (!File.Exists(path)) continue;
            foreach (var child in File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                yield return int.Parse(child, CultureInfo.InvariantCulture);
        }
    }
}
