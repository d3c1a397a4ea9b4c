using System.Collections.Concurrent;
using MarginFace.Faces;
using MarginFace.Imaging;

namespace MarginFace.Inference;

/// <summary>
/// The crop <c>landmarks:TEMPLATE</c> (<c>landmarks</c> alone: ArcFace's 112×112): the largest face that YuNet finds, warped by
/// the least-squares similarity of its five landmarks onto <see cref="Template"/> (<see cref="FaceAligner"/>), as the pipeline
/// aligns photos; the preprocessing then resizes it to the model's input. An image without a face is a
/// <see cref="MarginFaceException"/> (training skips and counts it as unreadable; evaluation stops on it). The detector
/// (<see cref="InferenceModels.YuNet"/>, found as the CLI finds it, one ONNX Runtime thread per call) is opened on first use
/// or by <see cref="EnsureDetector"/>, and shared by every crop of the process; detection is thread-safe.
/// </summary>
public sealed class LandmarkFaceCrop : FaceCrop
{
    private static readonly ConcurrentDictionary<string, Lazy<FaceDetector>> Detectors = new(StringComparer.Ordinal);
    private readonly FaceAligner aligner;
    private readonly string? detectorModel;

    public LandmarkFaceCrop(AlignmentTemplate template, string? detectorModel = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        aligner = new FaceAligner(template);
        this.detectorModel = detectorModel;
    }

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
        var path = Path.GetFullPath(InferenceModels.Locate(detectorModel, InferenceModels.YuNet));
        return Detectors.GetOrAdd(path, p => new Lazy<FaceDetector>(() => new FaceDetector(p, new FaceDetectorOptions { Threads = 1 }))).Value;
    }

    public override RgbImage Apply(RgbImage image)
    {
        var faces = EnsureDetector().Detect(image);
        if (faces.Count == 0) throw new MarginFaceException($"no face found for the crop {this}");
        return aligner.Align(image, faces.MaxBy(f => f.Area)!);
    }

    public override string ToString() => $"landmarks:{Template.Name}";
}
