using NeuralFP.Infra.Tests.Support;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Infra.Tests.Storage;

/// <summary>The containers, queues and tables the app and the Functions host use exist, under the names the app is told.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class StorageLayoutTests(InfrastructureFixture infra)
{
    [Fact]
    public void ContainersForModelsFingerprintsResultsAndThePackageExist()
    {
        var containers = LeafNames("Microsoft.Storage/storageAccounts/blobServices/containers");

        Assert.Superset(new HashSet<string> { "models", "fingerprints", "results", "app-package" }, containers);
    }

    [Fact]
    public void QueuesForRequestsResultsPoisonAndAlertsExist()
    {
        var queues = LeafNames("Microsoft.Storage/storageAccounts/queueServices/queues");

        Assert.Equal(
            new HashSet<string> { "score-requests", "score-results", "score-requests-poison", "ood-alerts" },
            queues);
    }

    [Fact]
    public void RegistryAndDriftTablesExist()
    {
        var tables = LeafNames("Microsoft.Storage/storageAccounts/tableServices/tables");

        Assert.Equal(new HashSet<string> { "models", "drift" }, tables);
    }

    [Fact]
    public void EveryNamedStorageSettingNamesAResourceThatExists()
    {
        var settings = infra.Initial.AppSettings();
        var containers = LeafNames("Microsoft.Storage/storageAccounts/blobServices/containers");
        var queues = LeafNames("Microsoft.Storage/storageAccounts/queueServices/queues");
        var tables = LeafNames("Microsoft.Storage/storageAccounts/tableServices/tables");

        Assert.Contains(settings[SettingNames.ModelsContainer], containers);
        Assert.Contains(settings[SettingNames.FingerprintsContainer], containers);
        Assert.Contains(settings[SettingNames.ResultsContainer], containers);
        Assert.Contains(settings[SettingNames.ScoreRequestsQueue], queues);
        Assert.Contains(settings[SettingNames.ScoreResultsQueue], queues);
        Assert.Contains(settings[SettingNames.AlertsQueue], queues);
        // The Functions host names the poison queue after the trigger queue.
        Assert.Contains(settings[SettingNames.ScoreRequestsQueue] + "-poison", queues);
        Assert.Contains(settings[SettingNames.RegistryTable], tables);
        Assert.Contains(settings[SettingNames.DriftTable], tables);
    }

    [Fact]
    public void StorageAccountNameIsLowercaseAndFitsFromTheLongestPrefix()
    {
        var initial = infra.Initial.Single("Microsoft.Storage/storageAccounts").Name;
        var longest = infra.WithBlobEvents.Single("Microsoft.Storage/storageAccounts").Name;

        Assert.StartsWith(InfrastructureFixture.DefaultPrefix.ToLowerInvariant(), initial, StringComparison.Ordinal);
        Assert.StartsWith(InfrastructureFixture.LongestPrefix, longest, StringComparison.Ordinal);
        foreach (var name in new[] { initial, longest })
        {
            Assert.InRange(name.Length, 3, 24);
            Assert.Matches("^[a-z0-9]+$", name);
        }
    }

    private HashSet<string> LeafNames(string type) =>
        infra.Initial.OfType(type).Select(r => r.LeafName).ToHashSet();
}
