namespace MarginFace.Pipeline;

/// <summary>Settings of <see cref="FaceDetector"/>; a null threshold or limit takes the detector kind's own default.</summary>
public sealed record FaceDetectorOptions
{
    /// <summary>The network; null: <see cref="FaceDetectorKind.YuNet"/> when a model path ending in <c>.onnx</c> is given, else <see cref="FaceDetectorKind.SsdMobileNetV1"/>.</summary>
    public FaceDetectorKind? Kind { get; init; }

    /// <summary>
    /// Faces scoring below this are dropped, in [0, 1]. Null: face-api's 0.5 for SSD (σ of the face logit; face-api's
    /// <c>minConfidence</c>) and tiny (σ of the objectness), 0.6 for YuNet (√(cls·obj)).
    /// </summary>
    public float? ScoreThreshold { get; init; }

    /// <summary>Non-maximum suppression drops a box whose IoU with a better-scoring kept box exceeds this. Null: 0.5 (SSD), 0.4 (tiny), 0.3 (YuNet), as their authors use.</summary>
    public float? NmsThreshold { get; init; }

    /// <summary>YuNet: images whose longer side exceeds this are downscaled (box-filtered) to it before detection; results are mapped back.</summary>
    public int MaxInputSide { get; init; } = 1280;

    /// <summary>Null: YuNet keeps the best 5000 candidates for its NMS; SSD returns at most 100 faces (face-api's <c>maxResults</c>); tiny has no limit.</summary>
    public int? MaxCandidates { get; init; }

    /// <summary>Tiny: the network's input side, a multiple of 32 (null: face-api's 416). SSD always runs at 512; YuNet at the image's size.</summary>
    public int? InputSize { get; init; }

    /// <summary>SSD and tiny: when to look again at the photo padded to twice its size (faces that fill the frame). Null: <see cref="FramePadding.WhenNoLargeFace"/>.</summary>
    public FramePadding? Padding { get; init; }

    /// <summary>
    /// SSD and tiny: the padded look's lower score bar, used only when neither pass finds a face at <see cref="ScoreThreshold"/>
    /// (then the best faces above this bar are returned rather than none). Null: 0.3; set it to the threshold to turn it off.
    /// </summary>
    public float? RetryScoreThreshold { get; init; }

    /// <summary>
    /// SSD with padding on: when neither SSD pass finds a large face over the photo's centre, face-api's tiny detector looks too
    /// and adds the faces SSD did not find (it finds some frame-filling faces SSD misses). Default true.
    /// </summary>
    public bool TinyFallback { get; init; } = true;

    /// <summary>
    /// SSD and tiny: locate each face's 68 points with face-api's landmark network (<see cref="FaceLandmarker"/>, fetched like
    /// the detector) when no other landmarker is given, so that faces can be aligned. Default true.
    /// </summary>
    public bool LocateLandmarks { get; init; } = true;

    /// <summary>ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose.</summary>
    public int Threads { get; init; }

    /// <summary>These options with every null filled with <paramref name="kind"/>'s default.</summary>
    public FaceDetectorOptions Resolve(FaceDetectorKind kind) => this with
    {
        Kind = kind,
        ScoreThreshold = ScoreThreshold ?? (kind == FaceDetectorKind.YuNet ? 0.6f : 0.5f),
        NmsThreshold = NmsThreshold ?? kind switch { FaceDetectorKind.YuNet => 0.3f, FaceDetectorKind.Tiny => 0.4f, _ => 0.5f },
        MaxCandidates = MaxCandidates ?? kind switch { FaceDetectorKind.YuNet => 5000, FaceDetectorKind.SsdMobileNetV1 => 100, _ => int.MaxValue },
        InputSize = InputSize ?? (kind == FaceDetectorKind.Tiny ? 416 : kind == FaceDetectorKind.SsdMobileNetV1 ? 512 : null),
        RetryScoreThreshold = RetryScoreThreshold ?? 0.3f,
        Padding = Padding ?? (kind == FaceDetectorKind.YuNet ? FramePadding.None : FramePadding.WhenNoLargeFace),
    };
}
