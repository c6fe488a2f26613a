namespace NeuralFP.Infra.Tests.Support;

/// <summary>
/// Compiles infra/main.bicep once and predicts two deployments of it, shared by every test class
/// of the Infrastructure collection (the Bicep CLI takes seconds per run).
/// </summary>
public sealed class InfrastructureFixture : IAsyncLifetime
{
    /// <summary>Mixed case on purpose: the storage account name must still come out lowercase.</summary>
    public const string DefaultPrefix = "NfpTest";

    /// <summary>The longest prefix the template accepts.</summary>
    public const string LongestPrefix = "abcdefghijk";

    public const int ScaledInstanceMemoryMB = 4096;
    public const int ScaledMaximumInstanceCount = 100;
    public const int ScaledAlwaysReadyHttpInstances = 2;
    public const string PreloadedModels = "cnn,tabular";

    private readonly string _scratch = Path.Combine(Path.GetTempPath(), $"neuralfp-infra-{Guid.NewGuid():N}");

    public BicepCli Bicep { get; } = BicepCli.FromPackage();

    /// <summary><c>bicep build infra/main.bicep --stdout</c>.</summary>
    public BicepRun Build { get; private set; } = null!;

    public ArmTemplate Template { get; private set; } = null!;

    /// <summary>First deployment: only the prefix given, Event Grid subscription off (no code yet).</summary>
    public DeploymentSnapshot Initial { get; private set; } = null!;

    /// <summary>Second deployment: longest prefix, blob events on, non-default scale settings (always-ready HTTP instances that preload two models).</summary>
    public DeploymentSnapshot WithBlobEvents { get; private set; } = null!;

    public string ScratchDirectory => _scratch;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_scratch);
        var build = Bicep.RunAsync(BuildLocations.RepositoryRoot, "build", Path.Combine("infra", "main.bicep"), "--stdout");
        var initial = SnapshotAsync("initial", new Dictionary<string, string>
        {
            ["namePrefix"] = $"'{DefaultPrefix}'",
        });
        var withEvents = SnapshotAsync("events", new Dictionary<string, string>
        {
            ["namePrefix"] = $"'{LongestPrefix}'",
            ["subscribeBlobEvents"] = "true",
            ["instanceMemoryMB"] = ScaledInstanceMemoryMB.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["maximumInstanceCount"] = ScaledMaximumInstanceCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["alwaysReadyHttpInstances"] = ScaledAlwaysReadyHttpInstances.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["preloadModels"] = $"'{PreloadedModels}'",
        });

        Build = await build;
        if (Build.ExitCode == 0)
        {
            Template = ArmTemplate.Parse(Build.StandardOutput);
        }

        Initial = await initial;
        WithBlobEvents = await withEvents;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_scratch, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<DeploymentSnapshot> SnapshotAsync(string name, IReadOnlyDictionary<string, string> parameters)
    {
        var (run, snapshot) = await DeploymentSnapshot.CreateAsync(Bicep, _scratch, name, parameters);
        return snapshot ?? throw new InvalidOperationException($"Snapshot '{name}' failed: {run.Describe()}");
    }
}
