using Microsoft.ML.OnnxRuntime;

namespace NeuralFP.Core.Onnx;

/// <summary>
/// ONNX Runtime's global intra-op thread pool for the scorer sessions of a process: a service that holds several
/// models' scorers then runs them all on one pool of <c>threads</c> threads instead of one pool per model (which on a
/// 2-core instance means many spinning threads fighting for two cores). Process-wide and one-way: it must be enabled
/// before ONNX Runtime's environment exists, i.e. at start-up before any session is created.
/// </summary>
public static class SharedThreadPool
{
    private static readonly Lock Gate = new();
    private static OrtThreadingOptions? _options;

    /// <summary>True once the process's scorer sessions share the global pool.</summary>
    public static bool IsEnabled { get; private set; }

    /// <returns>True when the pool is in use; false (nothing changed) when ONNX Runtime's environment already existed.</returns>
    public static bool TryEnable(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        lock (Gate)
        {
            if (IsEnabled) return true;
            if (OrtEnv.IsCreated) return false;
            _options = new OrtThreadingOptions { GlobalIntraOpNumThreads = threads, GlobalInterOpNumThreads = 1, GlobalSpinControl = false };
            var environment = new EnvironmentCreationOptions { threadOptions = _options };
            OrtEnv.CreateInstanceWithOptions(ref environment);
            IsEnabled = true;
            return true;
        }
    }
}
