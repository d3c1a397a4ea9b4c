using System.Collections.Concurrent;
using System.Security.Cryptography;
using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Data;

/// <summary>
/// The crop <c>landmarks:TEMPLATE</c> (<c>landmarks</c> alone: ArcFace's 112×112): the photo's subject (<see cref="FaceSelection.Subject"/>: the largest face over the centre, else the largest) that the detector finds
/// (the default <see cref="FaceDetector"/>: face-api's SSD MobileNet V1 with the five points derived from its 68-point landmarks;
/// YuNet when its file is given), warped by
/// the least-squares similarity of its five landmarks onto <see cref="Template"/> (<see cref="FaceAligner"/>), as the pipeline
/// aligns photos; the preprocessing then resizes it to the model's input. An image without a face is a
/// <see cref="MarginFaceException"/> (training skips and counts it as unreadable; evaluation stops on it). The detector (one
/// ONNX Runtime thread per call) is opened on first use
/// or by <see cref="EnsureDetector"/>, and shared by every crop of the process; detection is thread-safe.
/// <see cref="WithDetectionCache"/> gives a crop that detects each distinct image once (training reads every image once per epoch).
/// </summary>
public sealed class LandmarkFaceCrop : FaceCrop
{
    private static readonly ConcurrentDictionary<string, Lazy<FaceDetector>> Detectors = new(StringComparer.Ordinal);
    private readonly FaceAligner aligner;
    private readonly string? detectorModel;
    private readonly ConcurrentDictionary<string, DetectedFace?>? detections;

    /// <summary>
    /// Aligns onto <paramref name="template"/>, detecting with the YuNet model at <paramref name="detectorModel"/>, or with the
    /// default detector (face-api's SSD MobileNet V1 and its 68-point landmarks, fetched into the cache) when null.
    /// </summary>
    public LandmarkFaceCrop(AlignmentTemplate template, string? detectorModel = null)
        : this(template, detectorModel, null)
    {
    }

    private LandmarkFaceCrop(AlignmentTemplate template, string? detectorModel, ConcurrentDictionary<string, DetectedFace?>? detections)
    {
        ArgumentNullException.ThrowIfNull(template);
        aligner = new FaceAligner(template);
        this.detectorModel = detectorModel;
        this.detections = detections;
    }

    /// <summary>
    /// The same crop, remembering the largest face (or its absence) of every image it has seen, keyed by the SHA-256 of the
    /// image's size, channels and pixels: an image met again is warped without detecting. About 150 bytes per image.
    /// </summary>
    public LandmarkFaceCrop WithDetectionCache() => new(Template, detectorModel, new ConcurrentDictionary<string, DetectedFace?>(StringComparer.Ordinal));

    /// <summary>The number of distinct images whose detection is remembered (0 without a cache).</summary>
    public int CachedDetections => detections?.Count ?? 0;

    /// <summary>The 5-point template faces are warped onto.</summary>
    public AlignmentTemplate Template => aligner.Template;

    /// <summary>Parses <c>landmarks</c> or <c>landmarks:NAME</c> (a name of <see cref="AlignmentTemplate.All"/>).</summary>
    public static LandmarkFaceCrop FromText(string text)
    {
        var colon = text.IndexOf(':');
        var name = colon < 0 ? AlignmentTemplate.ArcFace112.Name : text[(colon + 1)..].Trim();
        var template = AlignmentTemplate.Find(name)
            ?? throw new MarginFaceException($"crop '{text}': unknown template '{name}'; known: {string.Join(", ", AlignmentTemplate.All.Select(t => t.Name))}");
        return new LandmarkFaceCrop(template);
    }

    /// <summary>Opens the detector now, so that a missing model file is reported before any image is read.</summary>
    public FaceDetector EnsureDetector()
    {
        if (detectorModel is null)
            return Detectors.GetOrAdd("", _ => new Lazy<FaceDetector>(() => new FaceDetector(null, new FaceDetectorOptions { Threads = 1 }))).Value;
        var path = Path.GetFullPath(InferenceModels.Locate(detectorModel, InferenceModels.YuNet));
        return Detectors.GetOrAdd(path, p => new Lazy<FaceDetector>(() => new FaceDetector(p, new FaceDetectorOptions { Kind = FaceDetectorKind.YuNet, Threads = 1 }))).Value;
    }

    /// <summary>The largest detected face, aligned onto <see cref="Template"/>; no face is a <see cref="MarginFaceException"/>.</summary>
    public override RgbImage Apply(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var face = detections is null ? Largest(image) : detections.GetOrAdd(Key(image), _ => Largest(image));
        if (face is null) throw new MarginFaceException($"no face found for the crop {this}");
        return aligner.Align(image, face);
    }

    private DetectedFace? Largest(RgbImage image) => FaceSelection.Subject(EnsureDetector().Detect(image), image.Width, image.Height);

    private static string Key(RgbImage image) =>
        $"{image.Width}x{image.Height}x{image.Channels}:{Convert.ToHexString(SHA256.HashData(image.Pixels))}";

    /// <summary><c>landmarks:TEMPLATE</c>, the text <see cref="FaceCrop.Parse"/> reads back.</summary>
    public override string ToString() => $"landmarks:{Template.Name}";
}
