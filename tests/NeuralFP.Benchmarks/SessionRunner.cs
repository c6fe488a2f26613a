using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Benchmarks;

/// <summary>One ONNX Runtime session over a graph, asking for the given outputs: what the scorer-graph and execution-mode
/// benchmarks time, batch by batch.</summary>
internal sealed class SessionRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputs;
    private readonly string[] _outputs;
    private readonly RunOptions _runOptions = new();

    /// <param name="options">The session's options (the scorer's own when null); the caller keeps ownership.</param>
    public SessionRunner(byte[] onnx, string input, IReadOnlyList<string> outputs, SessionOptions? options = null, bool singleThread = false)
    {
        if (options is null)
        {
            using var own = ScorerSession.CreateSessionOptions();
            if (singleThread) own.IntraOpNumThreads = 1;
            _session = new InferenceSession(onnx, own);
        }
        else _session = new InferenceSession(onnx, options);
        _inputs = [input];
        _outputs = [.. outputs];
    }

    public void Run(FloatTensor records, int start, int count)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
            records.Data.AsMemory(start * records.RecordLength, count * records.RecordLength), [count, .. records.RecordShape.Select(d => (long)d)]);
        using var results = _session.Run(_runOptions, _inputs, [input], _outputs);
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
