using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using MarginFace.Imaging;
using MarginFace.Interop.FaceApi;
using MarginFace.Runtime;

namespace MarginFace.Pipeline;

/// <summary>
/// 68 facial landmarks (the iBUG 300-W / dlib order: jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, mouth 48–67) of a face box,
/// by face-api's <c>FaceLandmark68Net</c> (or its tiny variant) run on ONNX Runtime. The box is cropped, padded to a square and
/// resized to 112×112 as face-api does (<see cref="FaceApiInput"/>); the 136 outputs are relative to the padded square and are
/// mapped back to the image's pixels with face-api's <c>postProcess</c>. The points agree with face-api's
/// <c>detectLandmarks</c> on the same crop shifted by the crop's corner; face-api's <c>withFaceLandmarks</c> shifts by the
/// unrounded box corner instead, up to a pixel away. The weights come from <see cref="FaceApiModelCache"/> (fetched with npm
/// once, SHA-256 checked). Thread-safe: one landmarker may serve many threads.
/// </summary>
public sealed class FaceLandmarker : IFaceLandmarker, IDisposable
{
    private readonly InferenceSession session;

    /// <param name="tiny">Use <c>face_landmark_68_tiny_model</c> (about 80 KB of weights, faster, less precise) instead of <c>face_landmark_68_model</c>.</param>
    /// <param name="threads">ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose.</param>
    /// <param name="cacheRoot">Cache root for face-api's networks (default: MarginFace's cache folder); npm fetches them on first use.</param>
    /// <param name="log">Progress messages of the fetch, if any.</param>
    public FaceLandmarker(bool tiny = false, int threads = 0, string? cacheRoot = null, IProgress<string>? log = null)
        : this(tiny, threads, null, cacheRoot, log)
    {
    }

    internal FaceLandmarker(bool tiny, int threads, IPackageFetcher? fetcher, string? cacheRoot, IProgress<string>? log)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Net = tiny ? FaceApiNet.Landmark68Tiny : FaceApiNet.Landmark68;
        ManifestPath = new FaceApiModelCache(fetcher, cacheRoot).EnsureAvailable(Net, log);
        session = FaceApiGraphs.CreateSession(Net, ManifestPath, threads);
    }

    /// <summary>Whether the tiny network is in use.</summary>
    public bool IsTiny => Net == FaceApiNet.Landmark68Tiny;

    /// <summary>The weights manifest in use.</summary>
    public string ManifestPath { get; }

    internal FaceApiNet Net { get; }

    /// <summary>The 68 points of <paramref name="face"/>'s box (its landmarks, if any, are not used) in <paramref name="image"/>'s pixels.</summary>
    public IReadOnlyList<Vector2> Locate(RgbImage image, DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(face);
        return Locate(image, face.X, face.Y, face.Width, face.Height);
    }

    /// <summary>
    /// The 68 points of the face in box (<paramref name="x"/>, <paramref name="y"/>, <paramref name="width"/>,
    /// <paramref name="height"/>) of <paramref name="image"/>, in its pixels; a box with no pixel inside the image is a
    /// <see cref="MarginFaceException"/>.
    /// </summary>
    public IReadOnlyList<Vector2> Locate(RgbImage image, float x, float y, float width, float height)
    {
        ArgumentNullException.ThrowIfNull(image);
        var crop = FaceApiInput.ClipOrThrow(image, x, y, width, height);
        var input = new float[3 * FaceApiGraphs.InputSize * FaceApiGraphs.InputSize];
        FaceApiInput.Fill(image, crop, input);
        return FaceApiInput.Landmarks(Run(input, 1), crop);
    }

    /// <summary>The 68 points of each of <paramref name="faces"/>' boxes, in their order, run as one batch.</summary>
    public IReadOnlyList<IReadOnlyList<Vector2>> Locate(RgbImage image, IReadOnlyList<DetectedFace> faces)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(faces);
        if (faces.Count == 0) return [];
        const int size = 3 * FaceApiGraphs.InputSize * FaceApiGraphs.InputSize;
        var crops = faces.Select(f => FaceApiInput.ClipOrThrow(image, f.X, f.Y, f.Width, f.Height)).ToList();
        var input = new float[faces.Count * size];
        for (var i = 0; i < crops.Count; i++) FaceApiInput.Fill(image, crops[i], input.AsSpan(i * size, size));
        var output = Run(input, faces.Count);
        return crops.Select((crop, i) => (IReadOnlyList<Vector2>)FaceApiInput.Landmarks(output.AsSpan(136 * i, 136), crop)).ToList();
    }

    /// <summary>
    /// The five points of <see cref="DetectedFace.Landmarks"/> (YuNet's and ArcFace's order, image-left first) from 68:
    /// the eyes are the means of points 36–41 and 42–47, the nose tip point 30, the mouth corners points 48 and 54 — the
    /// convention of <see cref="AlignmentTemplate.DlibChip150"/>.
    /// </summary>
    public static IReadOnlyList<Vector2> FivePoints(IReadOnlyList<Vector2> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count != 68) throw new ArgumentException($"expected 68 points, got {points.Count}", nameof(points));
        Vector2 Mean(int from) => Enumerable.Range(from, 6).Aggregate(Vector2.Zero, (sum, i) => sum + points[i]) / 6;
        return [Mean(36), Mean(42), points[30], points[48], points[54]];
    }

    /// <summary>The raw outputs (<c>[batch, 136]</c>, relative to the padded square) for normalised inputs <c>[batch, 3, 112, 112]</c>.</summary>
    internal float[] Run(float[] input, int batch) => FaceApiGraphs.Run(session, input, batch, FaceApiGraphs.LandmarksOutput)[0];

    /// <summary>Closes the ONNX Runtime session.</summary>
    public void Dispose() => session.Dispose();
}
