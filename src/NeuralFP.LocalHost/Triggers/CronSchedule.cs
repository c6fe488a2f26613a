using System.Globalization;

namespace NeuralFP.LocalHost.Triggers;

/// <summary>
/// A timer schedule: NCRONTAB with six fields (second minute hour day month day-of-week; '*', lists, ranges and
/// steps; day-of-week 0-6 from Sunday, 7 also Sunday) or a TimeSpan interval (hh:mm:ss), as TimerTrigger accepts.
/// Times are UTC (WEBSITE_TIME_ZONE is not honoured).
/// </summary>
internal sealed class CronSchedule
{
    private readonly bool[]? _seconds, _minutes, _hours, _days, _months, _weekdays;
    private readonly TimeSpan? _interval;

    private CronSchedule(TimeSpan interval) => _interval = interval;

    private CronSchedule(string[] fields)
    {
        _seconds = Field(fields[0], 0, 59);
        _minutes = Field(fields[1], 0, 59);
        _hours = Field(fields[2], 0, 23);
        _days = Field(fields[3], 1, 31);
        _months = Field(fields[4], 1, 12);
        _weekdays = Field(fields[5].Replace('7', '0'), 0, 6);
    }

    public static CronSchedule Parse(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 6) return new CronSchedule(fields);
        if (fields.Length == 1 && TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
            return new CronSchedule(interval);
        throw new FormatException($"The timer schedule '{expression}' is neither a six-field NCRONTAB expression nor a TimeSpan.");
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>.</summary>
    public DateTime Next(DateTime after)
    {
        if (_interval is { } interval) return after + interval;
        var t = new DateTime(after.Ticks - after.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc).AddSeconds(1);
        var limit = t.AddYears(5);
        while (t < limit)
        {
            if (!_months![t.Month]) { t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1); continue; }
            if (!_days![t.Day] || !_weekdays![(int)t.DayOfWeek]) { t = t.Date.AddDays(1); continue; }
            if (!_hours![t.Hour]) { t = new DateTime(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc).AddHours(1); continue; }
            if (!_minutes![t.Minute]) { t = new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Utc).AddMinutes(1); continue; }
            if (!_seconds![t.Second]) { t = t.AddSeconds(1); continue; }
            return t;
        }
        throw new InvalidOperationException("The timer schedule never fires.");
    }

    private static bool[] Field(string text, int min, int max)
    {
        var allowed = new bool[max + 1];
        foreach (var part in text.Split(','))
        {
            var (range, step) = part.Split('/') switch
            {
                [var r] => (r, 1),
                [var r, var s] => (r, int.Parse(s, CultureInfo.InvariantCulture)),
                _ => throw new FormatException($"Bad NCRONTAB field '{text}'."),
            };
            int from, to;
            if (range == "*") (from, to) = (min, max);
            else if (range.Split('-') is [var a, var b]) (from, to) = (int.Parse(a, CultureInfo.InvariantCulture), int.Parse(b, CultureInfo.InvariantCulture));
            else (from, to) = (int.Parse(range, CultureInfo.InvariantCulture), part.Contains('/') ? max : int.Parse(range, CultureInfo.InvariantCulture));
            if (from < min || to > max || from > to || step < 1) throw new FormatException($"Bad NCRONTAB field '{text}' (values {min}-{max}).");
            for (var v = from; v <= to; v += step) allowed[v] = true;
        }
        return allowed;
    }
}
