using System.Numerics;

namespace MarginFace.Pipeline;

/// <summary>
/// One face found by <see cref="FaceDetector"/>, in the original image's pixel coordinates: the box's top-left corner
/// (<see cref="X"/>, <see cref="Y"/>) and size, the detector's confidence, and its landmarks: YuNet gives five, in ArcFace's
/// template's order (the eye on the image's left, the eye on the image's right, the nose tip, the mouth corner on the
/// image's left, the mouth corner on the image's right); face-api's SSD and tiny detectors give boxes only, and the
/// detector's landmarker (by default face-api's 68-point network, <see cref="FaceLandmarker"/>) fills the five points from its
/// 68 (<see cref="Landmarks68"/>); without a landmarker <see cref="Landmarks"/> is empty.
/// </summary>
public sealed record DetectedFace(float X, float Y, float Width, float Height, float Score, IReadOnlyList<Vector2> Landmarks)
{
    /// <summary>
    /// The 68 points (iBUG/dlib order) when a 68-point landmarker located them (the default detector's
    /// <see cref="FaceLandmarker"/>); <see cref="Landmarks"/> then holds the five derived from them. Null otherwise.
    /// </summary>
    public IReadOnlyList<Vector2>? Landmarks68 { get; init; }

    /// <summary>True when the detector (or a landmarker) gave landmarks.</summary>
    public bool HasLandmarks => Landmarks.Count > 0;

    /// <summary>Width × height of the box.</summary>
    public float Area => Width * Height;

    /// <summary>Intersection over union of two boxes (0 when either is empty).</summary>
    public float IntersectionOverUnion(DetectedFace other)
    {
        var width = Math.Min(X + Width, other.X + other.Width) - Math.Max(X, other.X);
        var height = Math.Min(Y + Height, other.Y + other.Height) - Math.Max(Y, other.Y);
        if (width <= 0 || height <= 0) return 0;
        var intersection = width * height;
        var union = Area + other.Area - intersection;
        return union > 0 ? intersection / union : 0;
    }
}
