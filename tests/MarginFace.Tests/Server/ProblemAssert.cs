using System.Net;
using System.Text.Json;
using MarginFace.Server.Problems;

namespace MarginFace.Tests.Server;

/// <summary>Checks an answer is an RFC 9457 problem document of one kind.</summary>
internal static class ProblemAssert
{
    public static async Task<JsonElement> IsProblem(HttpResponseMessage response, ProblemKind kind)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == kind.Status, $"expected {kind.Status} {kind.Slug}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(kind.Type, problem.GetProperty("type").GetString());
        Assert.Equal(kind.Status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    public static async Task<JsonElement> IsJson(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }
}
