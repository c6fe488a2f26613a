namespace NeuralFP.Azure.Configuration;

/// <summary>
/// Where drift alarms and (optionally) batch summaries are published in Azure: topics of one Service Bus namespace,
/// reached with a managed identity. Without <see cref="AlertsTopic"/> the alarms go to the alerts storage queue.
/// </summary>
public sealed record ServiceBusTopics
{
    /// <summary><c>&lt;namespace&gt;.servicebus.windows.net</c>.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    public bool UseManagedIdentity { get; set; }

    /// <summary>Client id of a user-assigned identity (null: system-assigned, or the developer's login).</summary>
    public string? ManagedIdentityClientId { get; set; }

    public string? AlertsTopic { get; set; }

    /// <summary>When set, every scored batch's summary is also published here (besides the score-results queue).</summary>
    public string? SummariesTopic { get; set; }

    public bool Configured => FullyQualifiedNamespace is not null && (AlertsTopic is not null || SummariesTopic is not null);

    /// <summary>Checks that topics come with a namespace; <paramref name="namespaceSetting"/> names the setting to fix.</summary>
    public void Validate(string namespaceSetting)
    {
        if ((AlertsTopic is not null || SummariesTopic is not null) && FullyQualifiedNamespace is null)
            throw new InvalidOperationException($"A Service Bus topic is configured but {namespaceSetting} is not: set it to <namespace>.servicebus.windows.net, or unset the topics to use the alerts storage queue.");
        if (FullyQualifiedNamespace is not null && !FullyQualifiedNamespace.Contains('.', StringComparison.Ordinal))
            throw new InvalidOperationException($"{namespaceSetting} must be a fully qualified namespace (<namespace>.servicebus.windows.net); got '{FullyQualifiedNamespace}'.");
    }
}
