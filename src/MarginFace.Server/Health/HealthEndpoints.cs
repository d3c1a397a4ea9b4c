using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MarginFace.Server.Problems;
using MarginFace.Server.Recognition;

namespace MarginFace.Server.Health;

/// <summary><c>/healthz</c>: the process answers (no key); <c>/readyz</c>: the models are loaded (503 until then, no key).</summary>
internal static class HealthEndpoints
{
    internal sealed record HealthJson(string Status);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Ok(new HealthJson("ok"))).WithName("healthz").WithTags("health").Produces<HealthJson>();
        app.MapGet("/readyz", (FaceServices services) =>
        {
            if (services.Ready) return Results.Ok(new HealthJson("ready"));
            var detail = services.LoadError is { } error ? $"the models failed to load: {error.Message.ReplaceLineEndings(" ")}" : "the models are still loading";
            return ProblemWriter.Result(ProblemKind.NotReady, detail);
        }).WithName("readyz").WithTags("health").Produces<HealthJson>().ProducesProblem(503);
    }
}
