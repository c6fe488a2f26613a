using Microsoft.Azure.Functions.Worker;
using NeuralFP.Application.Scoring;
using NeuralFP.Application.Serialization;
using NeuralFP.Core.Matching;
using NeuralFP.Core.Tensors;
using NeuralFP.Functions.Configuration;
using NeuralFP.Contracts;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Http;

namespace NeuralFP.Functions.Functions;

/// <summary><c>POST /api/match</c>: ranks every ready model whose input the batch fits.</summary>
public sealed class MatchFunction(ScorerCache scorers, ApiOptions limits)
{
    [Function(FunctionNames.Match)]
    public async Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.Match)] HttpRequest request, CancellationToken cancellationToken)
    {
        RecordsBodyReader.ClassifyContentType(request.ContentType);
        using var body = await RecordsBodyReader.ReadAsync(request, limits, cancellationToken).ConfigureAwait(false);
        var ready = await scorers.ListReadyAsync(cancellationToken).ConfigureAwait(false);
        if (ready.Count == 0) throw new NoReadyModelException();

        var matches = new List<MatchResult>();
        var skipped = new List<SkippedModel>();
        // One model leased at a time, so the scorer cache's byte budget holds however many models there are.
        foreach (var row in ready)
        {
            using var lease = await scorers.LeaseAsync(row, cancellationToken).ConfigureAwait(false);
            var model = lease.Model;
            FloatTensor records;
            try
            {
                records = body.ToTensor(model.Scorer.InputShape);
            }
            catch (InvalidRecordsException e)
            {
                skipped.Add(new SkippedModel(model.ModelId, e.Message));
                continue;
            }
            matches.Add(model.Scorer.Match(model.ModelId, records, cancellationToken));
        }
        if (matches.Count == 0)
            throw new InvalidRecordsException("No ready model accepts these records: " + string.Join("; ", skipped.Select(s => $"{s.ModelId}: {s.Reason}")));
        return Results.Json(new MatchResponse(body.Count, ModelMatcher.Rank(matches), skipped), JsonDefaults.Options);
    }
}
