using System.CommandLine;
using NeuralFP.Client;
using NeuralFP.Contracts;
using NeuralFP.Edge;

namespace NeuralFP.Cli.Commands;

/// <summary><c>nfp pull</c>: downloads a model's current fingerprint archive from a running service into a folder, checked, for offline scoring.</summary>
internal static class PullCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The service's base address, e.g. http://127.0.0.1:7071.", Required = true };
        var model = new Option<string>("--model") { Description = "The model id.", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write artifact.json, fingerprint.json, scorer.onnx (and detectors.json) into.", Required = true };
        var key = new Option<string?>("--key") { Description = "Function key, when the service needs one (default: $NEURALFP_FUNCTION_KEY)." };
        var modelFile = new Option<FileInfo?>("--verify-model") { Description = "The model.onnx the gateway runs: refuse the fingerprint unless it was built for exactly this file." };
        var json = CommonOptions.Json();
        var command = new Command("pull", "Download a model's current fingerprint from a running service for offline scoring (`nfp score --fingerprint <out>`); a no-op when the copy in --out is current.")
            { url, model, output, key, modelFile, json };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var directory = parse.GetValue(output)!.FullName;
            var modelId = parse.GetValue(model)!;
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
                throw new ArgumentException($"--url must be an http(s) address such as http://127.0.0.1:7071; got '{parse.GetValue(url)}'.");
            using var client = new NeuralFpClient(endpoint, new NeuralFpClientOptions
            {
                FunctionKey = parse.GetValue(key) ?? Environment.GetEnvironmentVariable("NEURALFP_FUNCTION_KEY"),
            });
            var held = File.Exists(Path.Combine(directory, EtagFile)) ? (await File.ReadAllTextAsync(Path.Combine(directory, EtagFile), cancellationToken)).Trim() : null;
            await using var download = await client.DownloadFingerprintAsync(modelId, held, cancellationToken);
            EdgeFingerprint fingerprint;
            if (download.NotModified)
            {
                fingerprint = await EdgeFingerprint.LoadDirectoryAsync(directory, cancellationToken);
            }
            else
            {
                fingerprint = await EdgeFingerprint.LoadAsync(download.Content!, cancellationToken);
                if (download.ModelSha256 is { } sha && !string.Equals(sha, fingerprint.ModelSha256, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException($"The service says model {sha} but the archive holds a fingerprint of {fingerprint.ModelSha256}.");
            }
            if (parse.GetValue(modelFile) is { } file)
                fingerprint.VerifyModel(await File.ReadAllBytesAsync(file.FullName, cancellationToken));
            if (!download.NotModified)
            {
                await fingerprint.SaveAsync(directory, cancellationToken);
                await File.WriteAllTextAsync(Path.Combine(directory, EtagFile), download.ETag ?? "", cancellationToken);
            }
            // modelVersion as in the service's verdicts (and its X-NeuralFP-Model-Version header).
            var selfCheck = fingerprint.Fingerprint.Manifest.SelfCheck;
            var result = new { fingerprint.ModelId, ModelVersion = fingerprint.Version, fingerprint.ModelSha256, download.ETag, Updated = !download.NotModified, Directory = directory, SelfCheck = selfCheck };
            if (parse.GetValue(json))
            {
                CliJson.Write(result);
                return 0;
            }
            Console.WriteLine(download.NotModified
                ? $"{modelId} version {fingerprint.Version} in {directory} is current."
                : $"{modelId} version {fingerprint.Version} (model {fingerprint.ModelSha256[..12]}…) written to {directory}.");
            // What the build's self-check found, so an edge operator sees a blind spot before relying on the verdicts.
            if (selfCheck is not null) Console.WriteLine($"Its {selfCheck}.");
            foreach (var weak in selfCheck?.Weak() ?? [])
                Console.WriteLine($"It sees {weak.Shift} weakly (AUROC {weak.Auroc:F3})" + (weak.BetterDetector() is { } better ? $"; the {better.Detector} detector sees it at {better.Auroc:F3}." : "."));
            return 0;
        }));
        return command;
    }

    /// <summary>The ETag of the archive last written into the folder, so the next pull can be a 304.</summary>
    public const string EtagFile = "etag.txt";
}
