namespace NeuralFP.Core.Tests.Support;

/// <summary>Collects lines on the reporting thread (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
internal sealed class SynchronousProgress(List<string> lines, Action<string>? onReport = null) : IProgress<string>
{
    public void Report(string value)
    {
        lock (lines) lines.Add(value);
        onReport?.Invoke(value);
    }
}
