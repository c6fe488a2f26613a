namespace NeuralFP.Functions.Http;

/// <summary>Every exception leaving an API endpoint becomes a problem+json response; server faults are logged.</summary>
internal sealed class ProblemFilter(ILogger<ProblemFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
        catch (Exception e)
        {
            var problem = ProblemMapper.ToProblem(e);
            if (problem is IStatusCodeHttpResult { StatusCode: >= 500 })
                logger.LogError(e, "{Method} {Path} failed.", context.HttpContext.Request.Method, context.HttpContext.Request.Path);
            else
                logger.LogInformation("{Method} {Path} rejected: {Reason}", context.HttpContext.Request.Method, context.HttpContext.Request.Path, e.Message);
            return problem;
        }
    }
}
