using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Cli.Commands;

/// <summary>Runs a command body and turns the errors users can fix into one line on stderr and exit code 2.</summary>
internal static class CommandRunner
{
    public const int UsageError = 2;

    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (e is FingerprintInputException or OnnxModelException or NpyFormatException or InvalidRecordsException or ArgumentException
                                      or FileNotFoundException or DirectoryNotFoundException or InvalidDataException
                                      or Client.NeuralFpRequestException or Edge.ModelMismatchException or HttpRequestException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"nfp: {e.Message}");
            return UsageError;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("nfp: cancelled.");
            return 130;
        }
    }

    public static FloatTensor ReadRecords(FileInfo file)
    {
        if (!file.Exists) throw new FileNotFoundException($"No records file at '{file.FullName}'.");
        using var stream = file.OpenRead();
        return Npy.Read(stream);
    }

    /// <summary>A .npy file read batch by batch (header checked now), for work that streams.</summary>
    public static RecordSource StreamRecords(FileInfo file)
    {
        if (!file.Exists) throw new FileNotFoundException($"No records file at '{file.FullName}'.");
        return RecordSource.FromNpy(file.OpenRead);
    }

    /// <summary>Progress lines for long work go to stderr so stdout stays machine-readable.</summary>
    /// Written synchronously (not <see cref="Progress{T}"/>, which posts to the thread pool: lines came out of order or were lost at exit).
    public static IProgress<string> StderrProgress() => new StderrLines();

    private sealed class StderrLines : IProgress<string>
    {
        public void Report(string value) => Console.Error.WriteLine(value);
    }
}
