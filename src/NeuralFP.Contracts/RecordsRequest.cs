namespace NeuralFP.Contracts;

/// <summary>JSON body of the verdicts and match endpoints (documentation type; the body is read by the function app's <c>RecordsBodyReader</c>).
/// Each record is flat or nested to the model's input shape.</summary>
/// <param name="Records">The records, each a flat list of the model's input values in C order or nested to its input shape.</param>
public sealed record RecordsRequest(IReadOnlyList<IReadOnlyList<float>> Records);
