namespace NeuralFP.Core.Monitoring;

/// <summary>The outcomes (OOD or not) of the most recent verdicts, up to a fixed count, with a running OOD count.</summary>
public sealed class VerdictWindow
{
    private readonly bool[] _outcomes;
    private int _next;

    public VerdictWindow(int capacity)
    {
        if (capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A verdict window must hold at least 1 verdict.");
        }

        _outcomes = new bool[capacity];
    }

    public int Capacity => _outcomes.Length;

    /// <summary>Verdicts currently in the window (at most <see cref="Capacity"/>).</summary>
    public int Count { get; private set; }

    /// <summary>OOD verdicts among them.</summary>
    public int OodCount { get; private set; }

    public bool IsFull => Count == Capacity;

    /// <summary>Adds the newest outcome, dropping the oldest once the window is full.</summary>
    public void Add(bool isOod)
    {
        if (IsFull && _outcomes[_next])
        {
            OodCount--;
        }

        _outcomes[_next] = isOod;
        if (isOod)
        {
            OodCount++;
        }

        _next = (_next + 1) % Capacity;
        if (!IsFull)
        {
            Count++;
        }
    }

    public void Add(ReadOnlySpan<bool> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            Add(outcome);
        }
    }

    /// <summary>The outcomes oldest first (to persist the window).</summary>
    public bool[] ToArray()
    {
        var result = new bool[Count];
        int start = IsFull ? _next : 0;
        for (int i = 0; i < Count; i++)
        {
            result[i] = _outcomes[(start + i) % Capacity];
        }

        return result;
    }

    public void Clear()
    {
        Array.Clear(_outcomes);
        _next = 0;
        Count = 0;
        OodCount = 0;
    }
}
