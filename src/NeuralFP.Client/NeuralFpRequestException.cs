using System.Net;
using System.Text.Json;

namespace NeuralFP.Client;

/// <summary>
/// The service answered with an error. <see cref="Status"/> is the HTTP status; <see cref="Type"/>, <see cref="Title"/>
/// and <see cref="Detail"/> come from its RFC 9457 problem details (e.g. type <c>…/problems/unknown-model</c>), and
/// <see cref="Extensions"/> holds the problem's other members (<c>modelId</c>, <c>limit</c>, <c>available</c>, …).
/// </summary>
public sealed class NeuralFpRequestException : Exception
{
    public NeuralFpRequestException(HttpStatusCode status, string? type, string? title, string? detail, IReadOnlyDictionary<string, JsonElement>? extensions = null, Exception? innerException = null)
        : base($"{(int)status} {title ?? status.ToString()}: {detail ?? "(no detail)"}", innerException)
    {
        Status = status;
        Type = type;
        Title = title;
        Detail = detail;
        Extensions = extensions ?? new Dictionary<string, JsonElement>();
    }

    public HttpStatusCode Status { get; }

    /// <summary>The problem type URI, e.g. <c>https://neuralfp.dev/problems/model-not-ready</c>; null when the body was not problem details.</summary>
    public string? Type { get; }

    public string? Title { get; }

    public string? Detail { get; }

    public IReadOnlyDictionary<string, JsonElement> Extensions { get; }

    /// <summary>The last segment of <see cref="Type"/>, e.g. <c>unknown-model</c>.</summary>
    public string? ProblemCode => Type is null ? null : Type[(Type.LastIndexOf('/') + 1)..];
}
