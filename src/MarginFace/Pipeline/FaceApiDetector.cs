using MarginFace.Imaging;
using MarginFace.Interop.FaceApi;

namespace MarginFace.Pipeline;

/// <summary>
/// face-api's SSD MobileNet V1 or tiny face detector behind <see cref="FaceDetector"/>. The first pass is face-api's own:
/// canvas = the image padded to a square on the bottom/right with black, resized to the network's input, boxes mapped back as
/// face-api maps them (SSD clamps to the canvas). A second pass (<see cref="FramePadding"/>) centres the image on a mid-grey
/// canvas of side 2·max(W, H), so a face that fills the frame is seen whole at half the scale; box = canvas fraction · side −
/// offset; it accepts faces down to <see cref="FaceDetectorOptions.RetryScoreThreshold"/> only when no face anywhere reaches
/// the score threshold. The passes' faces are merged by non-maximum suppression. SSD with a fallback: when there is still no
/// large face over the photo's centre, the tiny detector (with its own padded look) runs and its faces that overlap none of
/// SSD's (IoU ≤ the NMS threshold) are added. Boxes only: no landmarks.
/// </summary>
internal sealed class FaceApiDetector : IFaceDetectorBackend
{
    private const float Grey = 128;
    private readonly FaceDetectorOptions options;
    private readonly FaceApiSsdMobileNetV1? ssd;
    private readonly FaceApiTinyFaceDetector? tiny;
    private readonly int inputSize;
    private readonly FaceApiDetector? fallback;

    /// <param name="kind">SSD MobileNet V1 or tiny.</param>
    /// <param name="manifestPath">The network's weights manifest.</param>
    /// <param name="options">Resolved options (<see cref="FaceDetectorOptions.Resolve"/>).</param>
    /// <param name="fallbackManifest">SSD only: the tiny detector's manifest, run when SSD finds no large central face (null: none).</param>
    public FaceApiDetector(FaceDetectorKind kind, string manifestPath, FaceDetectorOptions options, string? fallbackManifest = null)
    {
        this.options = options;
        ModelPath = manifestPath;
        inputSize = options.InputSize!.Value;
        if (kind == FaceDetectorKind.SsdMobileNetV1)
        {
            if (inputSize != FaceApiSsdMobileNetV1.InputSize) throw new MarginFaceException($"SSD MobileNet V1 runs at {FaceApiSsdMobileNetV1.InputSize}×{FaceApiSsdMobileNetV1.InputSize} only, not input size {inputSize}");
            ssd = new FaceApiSsdMobileNetV1(manifestPath, options.Threads);
        }
        else
        {
            if (inputSize < 32 || inputSize > 2048 || inputSize % 32 != 0) throw new MarginFaceException($"tiny face detector: input size must be a multiple of 32 in 32..2048, got {inputSize}");
            tiny = new FaceApiTinyFaceDetector(manifestPath, options.Threads);
        }
        if (kind == FaceDetectorKind.SsdMobileNetV1 && fallbackManifest is not null)
        {
            try
            {
                fallback = new FaceApiDetector(FaceDetectorKind.Tiny, fallbackManifest,
                    new FaceDetectorOptions { Padding = options.Padding, Threads = options.Threads }.Resolve(FaceDetectorKind.Tiny));
            }
            catch
            {
                ssd?.Dispose();
                throw;
            }
        }
    }

    /// <inheritdoc/>
    public string ModelPath { get; }

    /// <summary>Side of the padded canvas over the photo's longer side: padded by its own size.</summary>
    private const double PaddedScale = 2;

    /// <inheritdoc/>
    public IReadOnlyList<DetectedFace> Detect(RgbImage image)
    {
        var threshold = options.ScoreThreshold!.Value;
        var faces = Pass(image, padded: false, threshold);
        var padding = options.Padding!.Value;
        if (padding == FramePadding.Always || (padding == FramePadding.WhenNoLargeFace && !HasLargeCentralFace(faces, image)))
        {
            // The padded look accepts down to the retry threshold, but a face below the threshold counts only when no face reaches it.
            var retry = Math.Min(threshold, options.RetryScoreThreshold!.Value);
            var padded = Pass(image, padded: true, retry);
            if (faces.Count > 0 || padded.Any(face => face.Score >= threshold)) padded.RemoveAll(face => face.Score < threshold);
            faces.AddRange(padded);
            faces = NonMaximumSuppression.Apply(faces, options.NmsThreshold!.Value, int.MaxValue).ToList();
        }
        // SSD misses some faces the tiny detector finds: when there is still no large central face, its faces that overlap none join.
        if (fallback is not null && padding != FramePadding.None && !HasLargeCentralFace(faces, image))
            foreach (var face in fallback.Detect(image))
                if (faces.All(kept => kept.IntersectionOverUnion(face) <= options.NmsThreshold!.Value)) faces.Add(face);
        return faces.OrderByDescending(face => face.Score).ToList();
    }

    /// <summary><see cref="FramePadding.WhenNoLargeFace"/>'s bar: a face at least this fraction of the photo's shorter side wide.</summary>
    internal const float LargeFaceFraction = 0.2f;

    /// <summary>Whether some face at least <see cref="LargeFaceFraction"/> of the photo's shorter side wide covers the photo's centre.</summary>
    internal static bool HasLargeCentralFace(IReadOnlyList<DetectedFace> faces, RgbImage image) =>
        faces.Any(face => face.Width >= LargeFaceFraction * Math.Min(image.Width, image.Height)
            && face.X <= image.Width / 2f && face.X + face.Width >= image.Width / 2f && face.Y <= image.Height / 2f && face.Y + face.Height >= image.Height / 2f);

    /// <summary>Closes the ONNX Runtime session.</summary>
    public void Dispose()
    {
        fallback?.Dispose();
        ssd?.Dispose();
        tiny?.Dispose();
    }

    private List<DetectedFace> Pass(RgbImage image, bool padded, float threshold)
    {
        int width = image.Width, height = image.Height, longer = Math.Max(width, height);
        var canvas = padded ? (int)Math.Round(PaddedScale * longer) : longer;
        int offsetX = padded ? (canvas - width) / 2 : 0, offsetY = padded ? (canvas - height) / 2 : 0;
        var fill = padded ? Grey : 0;
        // Face-api maps canvas fractions to pixels through its rounded reshaped size: x · (N / round(W·N/S)) · W.
        var (reshapedWidth, reshapedHeight) = FaceApiDetectorInput.Reshaped(width, height, inputSize);
        double scaleX = padded ? canvas : (double)inputSize / reshapedWidth * width;
        double scaleY = padded ? canvas : (double)inputSize / reshapedHeight * height;
        List<FaceApiBox> boxes;
        if (ssd is not null)
        {
            var input = FaceApiDetectorInput.Planes(image, canvas, offsetX, offsetY, fill, inputSize, (_, v) => v / 127.5f - 1);
            boxes = ssd.Detect(input, threshold, options.NmsThreshold!.Value, options.MaxCandidates!.Value)
                .Select(b => b with { Left = Math.Max(0, b.Left), Top = Math.Max(0, b.Top), Right = Math.Min(1, b.Right), Bottom = Math.Min(1, b.Bottom) })
                .ToList();
        }
        else
        {
            var mean = FaceApiTinyFaceDetector.MeanRgb;
            var input = FaceApiDetectorInput.Planes(image, canvas, offsetX, offsetY, fill, inputSize, (c, v) => (v - mean[c]) / 255f);
            // The tiny decoder applies face-api's correction factors itself; on the padded canvas there are none.
            var correctX = padded ? 1 : (double)inputSize / reshapedWidth;
            var correctY = padded ? 1 : (double)inputSize / reshapedHeight;
            boxes = tiny!.Detect(input, inputSize, threshold, options.NmsThreshold!.Value, correctX, correctY);
            scaleX = padded ? canvas : width;
            scaleY = padded ? canvas : height;
            if (boxes.Count > options.MaxCandidates!.Value) boxes = boxes.Take(options.MaxCandidates!.Value).ToList();
        }
        return boxes.Select(b => new DetectedFace(
            (float)(b.Left * scaleX - offsetX), (float)(b.Top * scaleY - offsetY),
            (float)((b.Right - b.Left) * scaleX), (float)((b.Bottom - b.Top) * scaleY), b.Score, [])).ToList();
    }
}
