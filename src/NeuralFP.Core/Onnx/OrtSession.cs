using Microsoft.ML.OnnxRuntime;

namespace NeuralFP.Core.Onnx;

/// <summary>An ONNX Runtime session with NeuralFP's settings, owning its options. Run is thread-safe.</summary>
internal sealed class OrtSession : IDisposable
{
    private readonly SessionOptions _options;

    /// <exception cref="OnnxModelException">ONNX Runtime rejects the model.</exception>
    public OrtSession(byte[] model, bool optimize = true)
    {
        _options = new SessionOptions
        {
            // A fixed thread count keeps run times comparable; batches are parallelised inside the ops.
            IntraOpNumThreads = Environment.ProcessorCount,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = optimize ? GraphOptimizationLevel.ORT_ENABLE_ALL : GraphOptimizationLevel.ORT_DISABLE_ALL,
        };
        // Threads sleep between runs, as the scorer's do: a build's extraction alternates runs with C# work (pooling,
        // reading the next batch), during which spinning threads only burn a core (measured: 0.46-0.58 s CPU against
        // 0.32-0.40 s for 6,144 tapped CNN records, wall lower too, on the shared 2-core machine).
        _options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        try
        {
            Session = new InferenceSession(model, _options);
        }
        catch (OnnxRuntimeException e)
        {
            _options.Dispose();
            throw new OnnxModelException($"ONNX Runtime cannot load the model: {e.Message}", e);
        }
    }

    public InferenceSession Session { get; }

    /// <summary>Runs one batch; the caller disposes the returned values.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired during the run.</exception>
    /// <exception cref="OnnxModelException">ONNX Runtime failed on the batch.</exception>
    public IDisposableReadOnlyCollection<OrtValue> Run(string inputName, OrtValue input, IReadOnlyCollection<string> outputNames, CancellationToken cancellationToken)
    {
        // A run on a disposed session would crash the process in native code; this makes it an exception instead.
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.CanBeCanceled ? cancellationToken.Register(() => runOptions.Terminate = true) : default;
        try
        {
            return Session.Run(runOptions, [inputName], [input], outputNames);
        }
        catch (OnnxRuntimeException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new OnnxModelException($"ONNX Runtime failed to run the model: {e.Message}", e);
        }
    }

    private volatile bool _disposed;

    public void Dispose()
    {
        _disposed = true;
        Session.Dispose();
        _options.Dispose();
    }
}
