namespace NeuralFP.Application.Jobs;

/// <summary>
/// A queued score request that can never succeed as sent (malformed, an unknown model, records of the wrong shape, a
/// reused batch id): put once on the score-results queue (and the summaries topic) in place of a summary, and the
/// request is not retried. <see cref="Status"/> tells it from a <see cref="BatchSummary"/> on the same queue.
/// </summary>
/// <param name="BatchId">The request's batch id; null when the message could not be read as a request.</param>
/// <param name="ModelId">The request's model id; null when the message could not be read as a request.</param>
/// <param name="MessageId">The queue message's id, so a request without a readable batch id can still be found.</param>
/// <param name="Problem">What is wrong and what to change, in the shape of the HTTP API's problem+json.</param>
public sealed record BatchRejection(string? BatchId, string? ModelId, string MessageId, RejectionProblem Problem, DateTimeOffset RejectedAt)
{
    public const string RejectedStatus = "rejected";

    public string Status => RejectedStatus;
}

/// <summary>An RFC 9457 problem, as the HTTP API answers the same fault: type URI, title, HTTP status and detail.</summary>
public sealed record RejectionProblem(string Type, string Title, int Status, string Detail);
