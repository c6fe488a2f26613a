namespace NeuralFP.Application.Errors;

/// <summary>
/// Storage (or Service Bus) answered and refused the operation for a reason that retrying will not fix (access revoked or a
/// wrong key or SAS, a table, container or topic missing that could not be created, a request rejected as malformed or too
/// large): an operator must change something, named by <see cref="Remedy"/>. Adapters raise it for what their classifier
/// (<c>StorageResilience.IsTransient</c>, <c>ServiceBusRejections</c>) does not call transient; transient failures keep
/// their own exceptions.
/// </summary>
public sealed class StorageRejectedException(string target, int status, string? code, string remedy, Exception? inner = null)
    : Exception($"The write to {target} was refused ({status}{(code is null ? "" : " " + code)}): {remedy}.", inner)
{
    /// <summary>What was written, e.g. "table 'drift'" or "the Service Bus topic 'ood-alerts'".</summary>
    public string Target { get; } = target;

    /// <summary>The HTTP status storage answered with (for Service Bus, the HTTP status of the same refusal).</summary>
    public int Status { get; } = status;

    /// <summary>Storage's error code (e.g. AuthorizationFailure, TableNotFound, EntityTooLarge), when it gave one.</summary>
    public string? Code { get; } = code;

    /// <summary>What to change.</summary>
    public string Remedy { get; } = remedy;

    /// <summary>
    /// True when storage refused what was sent (400, 413: malformed or too large), so sending the same content again can
    /// never succeed; false when it refused the writer or the target (access, a missing table), which an operator can fix.
    /// </summary>
    public bool ContentRefused => Status is 400 or 413;
}
