using System.Globalization;

namespace MarginFace.Pipeline;

/// <summary>
/// Which face of a photo to use where only one may be (enrolment): <see cref="Only"/> the single face, refusing a photo with
/// several (whose face would be a guess); <see cref="Largest"/> the largest box; or <see cref="Box"/> the detected face that
/// overlaps a given box most, refused below <see cref="MinimumOverlap"/> intersection over union.
/// </summary>
public sealed class FaceSelection
{
    /// <summary>The intersection over union a face must have with a <see cref="Box"/> to be chosen (0.3: the box may be drawn loosely, but not around another face).</summary>
    public const float MinimumOverlap = 0.3f;

    private readonly DetectedFace? box;
    private readonly bool largest;

    private FaceSelection(bool largest, DetectedFace? box)
    {
        this.largest = largest;
        this.box = box;
    }

    /// <summary>The photo's one face; a photo with several is refused.</summary>
    public static FaceSelection Only { get; } = new(false, null);

    /// <summary>The face with the largest box.</summary>
    public static FaceSelection Largest { get; } = new(true, null);

    /// <summary>The face overlapping the box (top-left corner <paramref name="x"/>, <paramref name="y"/>, in the photo's pixels) most.</summary>
    public static FaceSelection Box(float x, float y, float width, float height)
    {
        if (!(width > 0 && height > 0 && float.IsFinite(x) && float.IsFinite(y) && float.IsFinite(width) && float.IsFinite(height)))
            throw new MarginFaceException($"face box {x},{y},{width},{height}: needs finite numbers and a positive width and height");
        return new FaceSelection(false, new DetectedFace(x, y, width, height, 1, []));
    }

    /// <summary>
    /// The photo's subject, where one face is taken without being told which (embed, verify, align, the landmarks crop): the
    /// largest of the faces whose box covers the centre of the <paramref name="width"/>×<paramref name="height"/> photo, else
    /// the largest face. A photo's subject is usually in its middle, while a cut-off face at its edge can be larger: on LFW's
    /// 7,701 pair images the largest face covers the centre in 99.79 %, some face in 99.99 % (docs/pipeline.md). Null for no face.
    /// </summary>
    public static DetectedFace? Subject(IReadOnlyList<DetectedFace> faces, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(faces);
        float centreX = width / 2f, centreY = height / 2f;
        bool Covers(DetectedFace f) => centreX >= f.X && centreX <= f.X + f.Width && centreY >= f.Y && centreY <= f.Y + f.Height;
        return faces.Where(Covers).MaxBy(f => f.Area) ?? faces.MaxBy(f => f.Area);
    }

    /// <summary>
    /// The chosen face of <paramref name="faces"/> (at least one), or null with the reason: several faces for <see cref="Only"/>,
    /// no face overlapping the <see cref="Box"/> by <see cref="MinimumOverlap"/>.
    /// </summary>
    public (DetectedFace? Face, string? Problem) Choose(IReadOnlyList<DetectedFace> faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        if (faces.Count == 0) throw new ArgumentException("no face to choose from.", nameof(faces));
        if (largest) return (faces.MaxBy(f => f.Area), null);
        if (box is null) return faces.Count == 1 ? (faces[0], null) : (null, $"{faces.Count} faces, and which one to use is not said");
        var best = faces.MaxBy(f => f.IntersectionOverUnion(box))!;
        var overlap = best.IntersectionOverUnion(box);
        return overlap >= MinimumOverlap
            ? (best, null)
            : (null, string.Create(CultureInfo.InvariantCulture,
                $"no face of {faces.Count} overlaps the box {box.X:0.#},{box.Y:0.#},{box.Width:0.#},{box.Height:0.#} by an intersection over union of {MinimumOverlap} (best {overlap:0.00})"));
    }

    /// <inheritdoc/>
    public override string ToString() => largest ? "largest" : box is null ? "only" : string.Create(CultureInfo.InvariantCulture, $"{box.X},{box.Y},{box.Width},{box.Height}");
}
