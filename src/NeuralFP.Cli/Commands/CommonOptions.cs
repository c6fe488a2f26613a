using System.CommandLine;

namespace NeuralFP.Cli.Commands;

/// <summary>Options several commands share, so they are spelled and described the same way everywhere.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Write the result as JSON on stdout (progress stays on stderr)." };

    public static Option<DirectoryInfo> Fingerprint() => new("--fingerprint")
    {
        Description = "Directory holding fingerprint.json and scorer.onnx (from `nfp fingerprint --out`).",
        Required = true,
    };

    public static Option<FileInfo> Records(string name = "--records") => new(name)
    {
        Description = "Records as a .npy file, float32/float64/uint8/int64, shape [N, ...input shape].",
        Required = true,
    };
}
