using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MarginFace.Galleries;
using MarginFace.Pipeline;
using MarginFace.Server.Problems;
using MarginFace.Server.Security;

namespace MarginFace.Server.Recognition;

/// <summary><c>/v1/detect</c>, <c>/v1/embed</c>, <c>/v1/verify</c>, <c>/v1/analyze</c>: photo in, faces out (scope recognise).</summary>
internal static class RecognitionEndpoints
{
    public static readonly string[] PhotoTypes = ["image/jpeg", "image/png", "application/octet-stream", "multipart/form-data"];

    public static void Map(RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("").WithMetadata(new RequiredScope(ApiKeyScope.Recognise)).WithTags("recognise");

        group.MapPost("/detect", async (HttpContext context, ServerOptions options, FaceServices services) =>
        {
            var (photos, _) = await PhotoFaces.ReadAsync(context, options, services, 1, 1);
            var p = photos[0];
            return Results.Ok(new DetectResponse(p.Image.Width, p.Image.Height, [.. p.Faces.Select(FaceJson.Of)]));
        }).WithName("detect").WithSummary("Every face of a photo: box, score, landmarks").Accepts<byte[]>(PhotoTypes[0], PhotoTypes[1..])
          .Produces<DetectResponse>().ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);

        group.MapPost("/embed", async (HttpContext context, ServerOptions options, FaceServices services) =>
        {
            var (photos, _) = await PhotoFaces.ReadAsync(context, options, services, 1, 1);
            var p = photos[0];
            var embedded = services.Pipeline.EmbedFaces(p.Image, p.Faces);
            return Results.Ok(new EmbedResponse(services.Embedder.ModelId, [.. embedded.Select(e => new EmbeddedFaceJson(Box.Of(e.Face), MathF.Round(e.Face.Score, 4), e.Embedding))]));
        }).WithName("embed").WithSummary("The embedding of every face of a photo").Accepts<byte[]>(PhotoTypes[0], PhotoTypes[1..])
          .Produces<EmbedResponse>().ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);

        group.MapPost("/verify", async (HttpContext context, ServerOptions options, FaceServices services) =>
        {
            var (photos, _) = await PhotoFaces.ReadAsync(context, options, services, 2, 2);
            var (a, b) = (photos[0].Subject(), photos[1].Subject());
            var ea = services.Pipeline.EmbedFaces(photos[0].Image, [a])[0].Embedding;
            var eb = services.Pipeline.EmbedFaces(photos[1].Image, [b])[0].Embedding;
            var similarity = Cosine(ea, eb);
            var threshold = (float)(services.Embedder.Info.VerificationThreshold ?? 0.5);
            return Results.Ok(new VerifyResponse(services.Embedder.ModelId, MathF.Round(similarity, 5), threshold, similarity >= threshold, Box.Of(a), Box.Of(b)));
        }).WithName("verify").WithSummary("Whether the main faces of two photos (two files of a multipart body) are the same person")
          .Accepts<byte[]>("multipart/form-data").Produces<VerifyResponse>().ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);

        group.MapPost("/analyze", async (HttpContext context, ServerOptions options, FaceServices services) =>
        {
            var (photos, _) = await PhotoFaces.ReadAsync(context, options, services, 1, 1);
            var p = photos[0];
            var analyses = services.Analyzer.Analyze(p.Image, p.Faces);
            return Results.Ok(new AnalyzeResponse([.. p.Faces.Select((f, i) => new AnalyzedFaceJson(Box.Of(f), MathF.Round(f.Score, 4),
                MathF.Round(analyses[i].Age, 1), analyses[i].Gender.ToString().ToLowerInvariant(), MathF.Round(analyses[i].GenderProbability, 4),
                FaceAnalysis.ExpressionNames.Select((name, k) => (name, k)).ToDictionary(x => x.name, x => MathF.Round(analyses[i].Expressions[x.k], 4))))]));
        }).WithName("analyze").WithSummary("Age, gender and expressions of every face (face-api's networks)").Accepts<byte[]>(PhotoTypes[0], PhotoTypes[1..])
          .Produces<AnalyzeResponse>().ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);
    }

    /// <summary>cos(a, b) = a·b / (|a| |b|).</summary>
    public static float Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return (float)(dot / Math.Sqrt(na * nb));
    }
}
