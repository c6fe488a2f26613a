namespace NeuralFP.Infra.Tests.Support;

/// <summary>What one Bicep CLI invocation printed and returned.</summary>
public sealed record BicepRun(string Arguments, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Exit code 0 and nothing on stderr: Bicep prints every diagnostic (error, warning, info, linter) there.</summary>
    public bool IsClean => ExitCode == 0 && StandardError.Trim().Length == 0;

    public string Describe() =>
        $"bicep {Arguments} exited with {ExitCode}.{Environment.NewLine}stderr:{Environment.NewLine}{StandardError}";
}
