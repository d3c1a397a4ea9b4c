using Microsoft.ML.OnnxRuntime;
using MarginFace.Imaging;
using MarginFace.Interop.FaceApi;
using MarginFace.Runtime;

namespace MarginFace.Pipeline;

/// <summary>
/// Age, gender and facial expression of a face box by face-api's <c>AgeGenderNet</c> (TinyXception, age regression and a
/// male/female softmax) and <c>FaceExpressionNet</c> (its 68-point network's feature extractor with a 7-way softmax), both run on
/// ONNX Runtime from the TF.js weights of <see cref="FaceApiModelCache"/> (fetched with npm once, SHA-256 checked). Both networks
/// see the same input as face-api gives them: the box cropped, padded to a square, resized to 112×112 and normalised
/// (<see cref="FaceApiInput"/>), so they run as one ONNX graph in one session: one call, one thread pool. face-api reports the gender as male when P(male) &gt; 0.5, else female with 1 − P(male).
/// Thread-safe: one analyzer may serve many threads.
/// </summary>
public sealed class FaceAnalyzer : IDisposable
{
    private const int Size = FaceApiGraphs.InputSize;
    private readonly InferenceSession session;

    /// <param name="threads">ONNX Runtime intra-op threads of each network; 0 lets ONNX Runtime choose.</param>
    /// <param name="cacheRoot">Cache root for face-api's networks (default: MarginFace's cache folder); npm fetches them on first use.</param>
    /// <param name="log">Progress messages of the fetch, if any.</param>
    public FaceAnalyzer(int threads = 0, string? cacheRoot = null, IProgress<string>? log = null)
        : this(threads, null, cacheRoot, log)
    {
    }

    internal FaceAnalyzer(int threads, IPackageFetcher? fetcher, string? cacheRoot, IProgress<string>? log)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        var cache = new FaceApiModelCache(fetcher, cacheRoot);
        var ageGenderManifest = cache.EnsureAvailable(FaceApiNet.AgeGender, log);
        var expressionManifest = cache.EnsureAvailable(FaceApiNet.Expression, log);
        session = FaceApiGraphs.CreateSession(threads, (FaceApiNet.AgeGender, ageGenderManifest), (FaceApiNet.Expression, expressionManifest));
    }

    /// <summary>The analysis of <paramref name="face"/>'s box (its landmarks, if any, are not used).</summary>
    public FaceAnalysis Analyze(RgbImage image, DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(face);
        return Analyze(image, face.X, face.Y, face.Width, face.Height);
    }

    /// <summary>
    /// The analysis of the face in box (<paramref name="x"/>, <paramref name="y"/>, <paramref name="width"/>,
    /// <paramref name="height"/>) of <paramref name="image"/>; a box with no pixel inside the image is a <see cref="MarginFaceException"/>.
    /// </summary>
    public FaceAnalysis Analyze(RgbImage image, float x, float y, float width, float height) => AnalyzeBoxes(image, [(x, y, width, height)])[0];

    /// <summary>The analyses of <paramref name="faces"/> in <paramref name="image"/>, in their order, run as one batch.</summary>
    public IReadOnlyList<FaceAnalysis> Analyze(RgbImage image, IReadOnlyList<DetectedFace> faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        return AnalyzeBoxes(image, [.. faces.Select(f => (f.X, f.Y, f.Width, f.Height))]);
    }

    private List<FaceAnalysis> AnalyzeBoxes(RgbImage image, IReadOnlyList<(float X, float Y, float Width, float Height)> boxes)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (boxes.Count == 0) return [];
        var input = new float[boxes.Count * 3 * Size * Size];
        for (var i = 0; i < boxes.Count; i++)
        {
            var (x, y, width, height) = boxes[i];
            var crop = FaceApiInput.ClipOrThrow(image, x, y, width, height);
            FaceApiInput.Fill(image, crop, input.AsSpan(i * 3 * Size * Size, 3 * Size * Size));
        }
        var (age, gender, expressions) = Run(input, boxes.Count);
        return Enumerable.Range(0, boxes.Count).Select(i =>
        {
            var male = gender[2 * i];
            return new FaceAnalysis(age[i], male > 0.5f ? FaceGender.Male : FaceGender.Female, male > 0.5f ? male : 1 - male,
                expressions.AsSpan(7 * i, 7).ToArray());
        }).ToList();
    }

    /// <summary>
    /// The raw outputs for normalised inputs <c>[batch, 3, 112, 112]</c>: age <c>[batch]</c>, gender softmax <c>[batch, 2]</c>
    /// (male, female) and expression softmax <c>[batch, 7]</c>.
    /// </summary>
    internal (float[] Age, float[] Gender, float[] Expressions) Run(float[] input, int batch)
    {
        var outputs = FaceApiGraphs.Run(session, input, batch, FaceApiGraphs.AgeOutput, FaceApiGraphs.GenderOutput, FaceApiGraphs.ExpressionsOutput);
        return (outputs[0], outputs[1], outputs[2]);
    }

    /// <summary>Closes the ONNX Runtime session.</summary>
    public void Dispose() => session.Dispose();
}
