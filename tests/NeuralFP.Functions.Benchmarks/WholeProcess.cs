using System.Diagnostics;
using System.Globalization;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>Runs a command to completion under <c>/usr/bin/time</c>: wall-clock seconds and peak resident set size.</summary>
internal static class WholeProcess
{
    public sealed record Result(double Seconds, double PeakMiB);

    private const string Marker = "NFP_TIME";

    /// <summary><c>dotnet nfp.dll …</c> from the Release build of src/NeuralFP.Cli.</summary>
    public static string[] Nfp(params string[] args)
    {
        var dll = Path.Combine(RepoPaths.Root, "src", "NeuralFP.Cli", "bin", "Release", "net10.0", "nfp.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is missing: run `dotnet build -c Release src/NeuralFP.Cli` first.");
        return ["dotnet", dll, .. args];
    }

    /// <summary>This benchmark's own executable with other arguments (e.g. the gateway client).</summary>
    public static string[] Self(params string[] args) => ["dotnet", typeof(WholeProcess).Assembly.Location, .. args];

    /// <summary>
    /// <see cref="Self"/> under nfp's JIT settings (no dynamic PGO, as nfp's runtimeconfig says): the bare-model process
    /// that a whole nfp process is compared with, so that the two differ by their work only.
    /// </summary>
    public static string[] SelfWithNfpJitSettings(params string[] args) => ["env", "DOTNET_TieredPGO=0", .. Self(args)];

    public static Result Run(string[] command)
    {
        var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add(Marker + " %e %M");
        foreach (var arg in command) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var errors = stderr.Result;
        _ = stdout.Result;
        if (process.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', command)} exited with {process.ExitCode}: {errors}");
        var fields = errors.Split('\n').Last(l => l.StartsWith(Marker, StringComparison.Ordinal)).Split(' ');
        return new Result(double.Parse(fields[1], CultureInfo.InvariantCulture), double.Parse(fields[2], CultureInfo.InvariantCulture) / 1024);
    }
}
