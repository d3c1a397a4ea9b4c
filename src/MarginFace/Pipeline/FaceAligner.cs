using System.Numerics;
using MarginFace.Imaging;

namespace MarginFace.Pipeline;

/// <summary>
/// Aligns a face to an <see cref="AlignmentTemplate"/>: the least-squares similarity (<see cref="SimilarityTransform"/>, Umeyama 1991)
/// from its five landmarks to the template's points, then a bilinear warp (<see cref="AffineWarp"/>) to the template's size,
/// black outside the photo, as InsightFace's <c>norm_crop</c> does.
/// </summary>
public sealed class FaceAligner
{
    /// <summary>An aligner onto <paramref name="template"/>, ArcFace's 112×112 by default.</summary>
    public FaceAligner(AlignmentTemplate? template = null)
    {
        Template = template ?? AlignmentTemplate.ArcFace112;
    }

    /// <summary>The points and size faces are warped onto.</summary>
    public AlignmentTemplate Template { get; }

    /// <summary>The 2×3 matrix mapping image coordinates onto the template's.</summary>
    public double[] Transform(IReadOnlyList<Vector2> landmarks)
    {
        ArgumentNullException.ThrowIfNull(landmarks);
        if (landmarks.Count != Template.Points.Count)
            throw new ArgumentException($"expected {Template.Points.Count} landmarks, got {landmarks.Count}.", nameof(landmarks));
        return SimilarityTransform.Estimate(landmarks, Template.Points);
    }

    /// <summary>The aligned crop of the face whose landmarks are <paramref name="landmarks"/>.</summary>
    public RgbImage Align(RgbImage image, IReadOnlyList<Vector2> landmarks) =>
        AffineWarp.Warp(image, Transform(landmarks), Template.Width, Template.Height);

    /// <summary>The aligned crop of a detected face.</summary>
    public RgbImage Align(RgbImage image, DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(face);
        if (face.Landmarks.Count != Template.Points.Count)
            throw new MarginFaceException(face.Landmarks.Count == 0
                ? $"face at ({face.X:F0}, {face.Y:F0}) {face.Width:F0}×{face.Height:F0} has no landmarks to align by (the detector gives boxes only: use --detector yunet:PATH or a landmark network)"
                : $"face at ({face.X:F0}, {face.Y:F0}) has {face.Landmarks.Count} landmarks; the {Template.Name} template needs {Template.Points.Count}");
        return Align(image, face.Landmarks);
    }
}
