using System.Diagnostics;

namespace NeuralFP.Functions.Tests.Reports;

/// <summary>Debian's Chromium, headless, with the flags that keep it off the network and out of the sandbox this machine lacks.</summary>
internal sealed class HeadlessChromium
{
    public const string Executable = "/usr/bin/chromium";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private static readonly string[] BaseFlags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars",
    ];

    public HeadlessChromium()
    {
        if (!File.Exists(Executable))
        {
            throw new FileNotFoundException(
                $"{Executable} is missing: install Debian's chromium package (apt-get install chromium); .ci/run does.", Executable);
        }
    }

    /// <summary>The DOM after the page has loaded, serialised (<c>--dump-dom</c>).</summary>
    public async Task<string> DumpDomAsync(string htmlFile)
    {
        var (stdout, stderr, exitCode) = await RunAsync(["--dump-dom", new Uri(htmlFile).AbsoluteUri]);
        Assert.True(exitCode == 0 && stdout.Length > 0, $"chromium --dump-dom exited with {exitCode}: {stderr}");
        return stdout;
    }

    /// <summary>The DOM after the page has loaded (and run its scripts) in a window of the given size.</summary>
    public async Task<string> DumpDomAsync(string htmlFile, int width, int height)
    {
        var (stdout, stderr, exitCode) = await RunAsync([$"--window-size={width},{height}", "--dump-dom", new Uri(htmlFile).AbsoluteUri]);
        Assert.True(exitCode == 0 && stdout.Length > 0, $"chromium --dump-dom exited with {exitCode}: {stderr}");
        return stdout;
    }

    /// <summary>A PNG of the page in a window of the given size.</summary>
    public async Task ScreenshotAsync(string htmlFile, string pngFile, int width, int height)
    {
        File.Delete(pngFile);
        var (_, stderr, exitCode) = await RunAsync(
            [$"--screenshot={pngFile}", $"--window-size={width},{height}", new Uri(htmlFile).AbsoluteUri]);
        Assert.True(exitCode == 0 && File.Exists(pngFile), $"chromium --screenshot exited with {exitCode}: {stderr}");
    }

    private static async Task<(string Stdout, string Stderr, int ExitCode)> RunAsync(string[] arguments)
    {
        // A fresh profile per run: nothing cached, nothing shared with another test.
        var profile = Directory.CreateTempSubdirectory("neuralfp-chromium-");
        try
        {
            var start = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var flag in BaseFlags)
            {
                start.ArgumentList.Add(flag);
            }

            start.ArgumentList.Add($"--user-data-dir={profile.FullName}");
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Chromium did not finish within {Timeout}.");
            }

            return (await stdout, await stderr, process.ExitCode);
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
