using System.Net;
using System.Text.Json;

namespace NeuralFP.Functions.Tests.Infrastructure;

/// <summary>Asserts that a response is an RFC 9457 problem with the expected status, and returns its body.</summary>
public static class Problems
{
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, params string[] detailFragments)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        var detail = problem.GetProperty("detail").GetString()!;
        foreach (var fragment in detailFragments) Assert.Contains(fragment, detail, StringComparison.OrdinalIgnoreCase);
        return problem;
    }
}
