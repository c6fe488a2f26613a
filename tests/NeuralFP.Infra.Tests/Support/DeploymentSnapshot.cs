using System.Text.Json;

namespace NeuralFP.Infra.Tests.Support;

/// <summary>
/// The resources a deployment of infra/main.bicep would create with given parameters, as
/// <c>bicep snapshot</c> predicts them offline: modules expanded, loops unrolled, names and IDs
/// evaluated. Values known only in Azure (keys, endpoints, principal IDs) stay as expressions.
/// </summary>
public sealed class DeploymentSnapshot
{
    public const string SubscriptionId = "00000000-0000-0000-0000-0000000000aa";
    public const string ResourceGroup = "rg-neuralfp-test";
    public const string Location = "westeurope";

    private DeploymentSnapshot(IReadOnlyList<ArmResource> resources) => Resources = resources;

    public IReadOnlyList<ArmResource> Resources { get; }

    /// <summary>Copies infra/ to a scratch folder, writes a .bicepparam with <paramref name="parameters"/>
    /// (values as Bicep literals) and runs <c>bicep snapshot</c> on it.</summary>
    public static async Task<(BicepRun Run, DeploymentSnapshot? Snapshot)> CreateAsync(
        BicepCli bicep, string scratchDirectory, string name, IReadOnlyDictionary<string, string> parameters)
    {
        var infra = Path.Combine(scratchDirectory, name);
        CopyDirectory(BuildLocations.InfraDirectory, infra);
        var lines = new List<string> { "using 'main.bicep'" };
        lines.AddRange(parameters.Select(p => $"param {p.Key} = {p.Value}"));
        var parametersFile = Path.Combine(infra, $"{name}.bicepparam");
        await File.WriteAllLinesAsync(parametersFile, lines);

        var run = await bicep.RunAsync(
            infra,
            "snapshot", parametersFile,
            "--mode", "overwrite",
            "--subscription-id", SubscriptionId,
            "--resource-group", ResourceGroup,
            "--location", Location);
        if (run.ExitCode != 0)
        {
            return (run, null);
        }

        var json = await File.ReadAllTextAsync(Path.Combine(infra, $"{name}.snapshot.json"));
        var root = JsonDocument.Parse(json).RootElement;
        var resources = root.GetProperty("predictedResources").EnumerateArray()
            .Select(r => new ArmResource(r, module: null))
            .ToList();
        return (run, new DeploymentSnapshot(resources));
    }

    public IReadOnlyList<ArmResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase)).ToList();

    public ArmResource Single(string type)
    {
        var matches = OfType(type);
        return matches.Count == 1
            ? matches[0]
            : throw new InvalidOperationException($"Expected one {type}, found {matches.Count}.");
    }

    /// <summary>The function app's settings as name → value (expressions for values known only in Azure).</summary>
    public IReadOnlyDictionary<string, string> AppSettings()
    {
        var site = Single("Microsoft.Web/sites");
        return site.At("properties.siteConfig.appSettings").EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("value").GetString()!);
    }

    public IReadOnlyList<string> AppSettingNames() =>
        Single("Microsoft.Web/sites").At("properties.siteConfig.appSettings").EnumerateArray()
            .Select(s => s.GetProperty("name").GetString()!)
            .ToList();

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            if (file.EndsWith(".snapshot.json", StringComparison.Ordinal))
            {
                continue;
            }

            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
