using System.Numerics;

namespace MarginFace.Pipeline;

/// <summary>
/// One face found by <see cref="FaceDetector"/>, in the original image's pixel coordinates: the box's top-left corner
/// (<see cref="X"/>, <see cref="Y"/>) and size, the detector's confidence, and its landmarks: YuNet gives five, in ArcFace's
/// template's order (the eye on the image's left, the eye on the image's right, the nose tip, the mouth corner on the
/// image's left, the mouth corner on the image's right); face-api's SSD and tiny detectors give boxes only, so
/// <see cref="Landmarks"/> is empty unless an <see cref="IFaceLandmarker"/> filled it (<c>face with { Landmarks = … }</c>).
/// </summary>
public sealed record DetectedFace(float X, float Y, float Width, float Height, float Score, IReadOnlyList<Vector2> Landmarks)
{
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
