using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace MarginFace.Server.Problems;

/// <summary>Writes RFC 9457 problem documents (<c>application/problem+json</c>): type, title, status, detail, instance.</summary>
internal static class ProblemWriter
{
    public static ProblemDetails Create(HttpContext context, ProblemKind kind, string detail) => new()
    {
        Type = kind.Type,
        Title = kind.Title,
        Status = kind.Status,
        Detail = detail,
        Instance = context.Request.Path,
    };

    public static Task WriteAsync(HttpContext context, ProblemKind kind, string detail)
    {
        if (context.Response.HasStarted) return Task.CompletedTask;
        context.Response.StatusCode = kind.Status;
        return context.Response.WriteAsJsonAsync(Create(context, kind, detail), (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }

    /// <summary>The problem as an endpoint result.</summary>
    public static IResult Result(ProblemKind kind, string detail) =>
        Results.Problem(detail: detail, statusCode: kind.Status, title: kind.Title, type: kind.Type);
}
