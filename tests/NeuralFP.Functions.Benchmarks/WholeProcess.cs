using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>Runs a command to completion under <c>/usr/bin/time</c>: wall-clock seconds and peak resident set size.</summary>
internal static class WholeProcess
{
    public sealed record Result(double Seconds, double PeakMiB);

    private const string Marker = "NFP_TIME";

    /// <summary>nfp.dll of the Release build of src/NeuralFP.Cli (portable IL, compiled as it runs).</summary>
    public static string BuildOutputNfp => Path.Combine(RepoPaths.Root, "src", "NeuralFP.Cli", "bin", "Release", "net10.0", "nfp.dll");

    /// <summary><c>dotnet nfp.dll …</c> for a given nfp.dll (the build output or a <c>dotnet publish</c> of src/NeuralFP.Cli).</summary>
    public static string[] NfpAt(string nfpDll, params string[] args)
    {
        if (!File.Exists(nfpDll)) throw new FileNotFoundException($"{nfpDll} is missing: run `dotnet build -c Release src/NeuralFP.Cli` (or `dotnet publish -c Release src/NeuralFP.Cli -o publish/nfp`) first.");
        return ["dotnet", nfpDll, .. args];
    }

    /// <summary>This benchmark's own executable with other arguments (e.g. the gateway client).</summary>
    public static string[] Self(params string[] args) => ["dotnet", typeof(WholeProcess).Assembly.Location, .. args];

    /// <summary>
    /// <see cref="Self"/> under nfp's dynamic-PGO setting, read from nfp's runtimeconfig: the bare-model process that a whole
    /// nfp process is compared with, so that the two differ by their work only.
    /// </summary>
    public static string[] SelfWithNfpJitSettings(params string[] args)
    {
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(BuildOutputNfp, ".runtimeconfig.json")));
        var pgo = !config.RootElement.GetProperty("runtimeOptions").TryGetProperty("configProperties", out var properties)
            || !properties.TryGetProperty("System.Runtime.TieredPGO", out var setting) || setting.GetBoolean();
        return ["env", $"DOTNET_TieredPGO={(pgo ? 1 : 0)}", .. Self(args)];
    }

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
