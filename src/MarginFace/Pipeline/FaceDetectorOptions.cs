namespace MarginFace.Pipeline;

/// <summary>Settings of <see cref="FaceDetector"/>.</summary>
public sealed record FaceDetectorOptions
{
    /// <summary>Faces scoring below this are dropped (score = √(cls·obj), in [0, 1]).</summary>
    public float ScoreThreshold { get; init; } = 0.6f;

    /// <summary>Non-maximum suppression drops a box whose IoU with a better-scoring kept box exceeds this.</summary>
    public float NmsThreshold { get; init; } = 0.3f;

    /// <summary>Images whose longer side exceeds this are downscaled (box-filtered) to it before detection; results are mapped back.</summary>
    public int MaxInputSide { get; init; } = 1280;

    /// <summary>At most this many candidates (best first) enter non-maximum suppression.</summary>
    public int MaxCandidates { get; init; } = 5000;

    /// <summary>ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose.</summary>
    public int Threads { get; init; }
}
