using System.Numerics;
using MarginFace.Imaging;

namespace MarginFace.Pipeline;

/// <summary>
/// Adds landmarks to a face found by a detector that gives boxes only (face-api's SSD and tiny detectors): given to
/// <see cref="FaceDetector"/>, it is asked for every face the network returns without landmarks.
/// </summary>
public interface IFaceLandmarker
{
    /// <summary>
    /// The landmarks of <paramref name="face"/> in <paramref name="image"/>'s pixel coordinates: the five points in
    /// <see cref="DetectedFace"/>'s order, or 68 in iBUG/dlib order (the detector derives the five with
    /// <see cref="FaceLandmarker.FivePoints"/> and keeps the 68 in <see cref="DetectedFace.Landmarks68"/>).
    /// </summary>
    IReadOnlyList<Vector2> Locate(RgbImage image, DetectedFace face);
}
