namespace NeuralFP.Azure.Configuration;

/// <summary>
/// How to reach the storage account: a connection string (locally Azurite's), or the three service URIs with a
/// managed identity (system-assigned, or user-assigned by <see cref="ManagedIdentityClientId"/>) or, with neither,
/// the developer's own Azure login. Validated at start-up.
/// </summary>
public sealed record StorageAccount
{
    public string? ConnectionString { get; set; }
    public Uri? BlobServiceUri { get; set; }
    public Uri? QueueServiceUri { get; set; }
    public Uri? TableServiceUri { get; set; }
    public bool UseManagedIdentity { get; set; }
    public string? ManagedIdentityClientId { get; set; }

    public bool IsConfigured => ConnectionString is not null || (BlobServiceUri is not null && QueueServiceUri is not null && TableServiceUri is not null);
}
