using MarginFace.Galleries;
using MarginFace.Pipeline;

namespace MarginFace.Server.Recognition;

// The JSON bodies of the API (camelCase on the wire). Boxes and landmarks are in the photo's pixels.

internal sealed record Box(float X, float Y, float Width, float Height)
{
    public static Box Of(DetectedFace face) => new(R(face.X), R(face.Y), R(face.Width), R(face.Height));

    public static float R(float v) => MathF.Round(v, 2);
}

internal sealed record FaceJson(Box Box, float Score, float[][] Landmarks)
{
    public static FaceJson Of(DetectedFace face) =>
        new(Box.Of(face), MathF.Round(face.Score, 4), [.. face.Landmarks.Select(p => new[] { Box.R(p.X), Box.R(p.Y) })]);
}

internal sealed record DetectResponse(int Width, int Height, IReadOnlyList<FaceJson> Faces);

internal sealed record EmbeddedFaceJson(Box Box, float Score, float[] Embedding);

internal sealed record EmbedResponse(string ModelId, IReadOnlyList<EmbeddedFaceJson> Faces);

internal sealed record VerifyResponse(string ModelId, float Similarity, float Threshold, bool Same, Box FaceA, Box FaceB);

internal sealed record AnalyzedFaceJson(Box Box, float Score, float Age, string Gender, float GenderProbability, IReadOnlyDictionary<string, float> Expressions);

internal sealed record AnalyzeResponse(IReadOnlyList<AnalyzedFaceJson> Faces);

internal sealed record CandidateJson(string Name, float Similarity)
{
    public static CandidateJson Of(GalleryMatch match) => new(match.Name, MathF.Round(match.Similarity, 5));
}

internal sealed record IdentifiedFaceJson(Box Box, float Score, IReadOnlyList<CandidateJson> Candidates);

internal sealed record IdentifyResponse(string Gallery, float Threshold, IReadOnlyList<IdentifiedFaceJson> Faces);
