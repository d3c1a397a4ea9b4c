using MarginFace.Imaging;
using MarginFace.Interop.FaceApi;

namespace MarginFace.Pipeline;

/// <summary>
/// Finds faces: boxes with a score (and, for YuNet, five landmarks) in the image's pixel coordinates, best score first.
/// <list type="bullet">
/// <item><see cref="FaceDetectorKind.SsdMobileNetV1"/> (default, <c>new FaceDetector()</c>): face-api's SSD MobileNet V1, its
/// weights fetched from the npm package into the cache and SHA-256 checked (<c>FaceApiModelCache</c>), run by ONNX Runtime;
/// boxes only.</item>
/// <item><see cref="FaceDetectorKind.Tiny"/>: face-api's tiny face detector, likewise; faster, less accurate; boxes only.</item>
/// <item><see cref="FaceDetectorKind.YuNet"/>: YuNet from an ONNX file (boxes and five landmarks).</item>
/// </list>
/// A model path given with a face-api kind is that network's weights manifest (an air-gapped copy); with YuNet, the ONNX file
/// (found by <see cref="InferenceModels"/> when null). Faces from a box-only detector have no landmarks unless an
/// <see cref="IFaceLandmarker"/> is given. Thread-safe: one detector may serve many threads.
/// </summary>
public sealed class FaceDetector : IDisposable
{
    private readonly IFaceDetectorBackend backend;
    private readonly IFaceLandmarker? landmarker;
    private readonly FaceLandmarker? ownLandmarker;

    /// <param name="modelPath">YuNet's ONNX file, or a face-api weights manifest; null: fetched (SSD, tiny) or searched (YuNet).</param>
    /// <param name="options">Kind, thresholds, limits and threads; null for the defaults (SSD MobileNet V1).</param>
    /// <param name="landmarker">Fills the landmarks of faces the network finds without them; null: face-api's 68-point network
    /// for SSD and tiny (unless <see cref="FaceDetectorOptions.LocateLandmarks"/> is false), none for YuNet.</param>
    public FaceDetector(string? modelPath = null, FaceDetectorOptions? options = null, IFaceLandmarker? landmarker = null)
    {
        options ??= new FaceDetectorOptions();
        var kind = options.Kind ?? (modelPath is not null && modelPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? FaceDetectorKind.YuNet : FaceDetectorKind.SsdMobileNetV1);
        Options = options.Resolve(kind);
        if (Options.ScoreThreshold is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(options), Options.ScoreThreshold, "score threshold must be in [0, 1].");
        if (Options.RetryScoreThreshold is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(options), Options.RetryScoreThreshold, "retry score threshold must be in [0, 1].");
        if (Options.NmsThreshold is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(options), Options.NmsThreshold, "NMS threshold must be in (0, 1].");
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxCandidates!.Value, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(Options.Threads, nameof(options));
        backend = kind switch
        {
            FaceDetectorKind.YuNet => new YuNetDetector(modelPath, Options),
            FaceDetectorKind.SsdMobileNetV1 or FaceDetectorKind.Tiny => new FaceApiDetector(kind, Manifest(modelPath, kind), Options,
                kind == FaceDetectorKind.SsdMobileNetV1 && Options.TinyFallback && Options.Padding != FramePadding.None ? TinyBeside(modelPath) : null),
            _ => throw new ArgumentOutOfRangeException(nameof(options), kind, "unknown detector kind."),
        };
        if (landmarker is null && kind != FaceDetectorKind.YuNet && Options.LocateLandmarks)
        {
            try
            {
                landmarker = ownLandmarker = new FaceLandmarker(threads: Options.Threads);
            }
            catch
            {
                backend.Dispose();
                throw;
            }
        }
        this.landmarker = landmarker;
    }

    /// <summary>The network in use.</summary>
    public FaceDetectorKind Kind => Options.Kind!.Value;

    /// <summary>The model file in use (YuNet's ONNX file, or the face-api weights manifest).</summary>
    public string ModelPath => backend.ModelPath;

    /// <summary>Thresholds and limits of detection, every default filled in for <see cref="Kind"/>.</summary>
    public FaceDetectorOptions Options { get; }

    /// <summary>Faces in <paramref name="image"/>, best score first, in its pixel coordinates.</summary>
    public IReadOnlyList<DetectedFace> Detect(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var faces = backend.Detect(image);
        if (landmarker is null || faces.All(face => face.HasLandmarks)) return faces;
        // A box with no whole pixel inside the photo has nothing to locate points in: such a face is dropped.
        var located = faces.Where(face => face.HasLandmarks || Inside(image, face)).ToList();
        var missing = located.Where(face => !face.HasLandmarks).ToList();
        var points = landmarker is FaceLandmarker batched ? batched.Locate(image, missing) : missing.Select(face => landmarker.Locate(image, face)).ToList();
        var next = 0;
        return located.Select(face => face.HasLandmarks ? face : WithPoints(face, points[next++])).ToList();
    }

    /// <summary>Closes the ONNX Runtime sessions.</summary>
    public void Dispose()
    {
        backend.Dispose();
        ownLandmarker?.Dispose();
    }

    private static DetectedFace WithPoints(DetectedFace face, IReadOnlyList<System.Numerics.Vector2> points) => points.Count == 68
        ? face with { Landmarks = FaceLandmarker.FivePoints(points), Landmarks68 = points }
        : face with { Landmarks = points };

    private static bool Inside(RgbImage image, DetectedFace face) =>
        FaceApiInput.Clip(image.Width, image.Height, face.X, face.Y, face.Width, face.Height) is not null;

    /// <summary>The tiny detector's manifest for SSD's fallback: from the cache, or beside a given SSD manifest (none when absent there).</summary>
    private static string? TinyBeside(string? ssdManifest)
    {
        if (ssdManifest is null) return Manifest(null, FaceDetectorKind.Tiny);
        var beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(ssdManifest))!, FaceApiModelCache.FileNames(FaceApiNet.TinyFaceDetector).Manifest);
        return File.Exists(beside) ? beside : null;
    }

    private static string Manifest(string? modelPath, FaceDetectorKind kind)
    {
        if (modelPath is not null)
        {
            if (!File.Exists(modelPath)) throw new MarginFaceException($"{modelPath}: model file not found");
            return modelPath;
        }
        return new FaceApiModelCache().EnsureAvailable(kind == FaceDetectorKind.Tiny ? FaceApiNet.TinyFaceDetector : FaceApiNet.SsdMobileNetV1);
    }
}
