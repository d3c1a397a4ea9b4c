using System.Numerics;

namespace MarginFace.Pipeline;

/// <summary>
/// Where the five landmarks of <see cref="DetectedFace"/> (eye, eye, nose tip, mouth corner, mouth corner, image-left first)
/// land in an aligned crop of <see cref="Width"/>×<see cref="Height"/> pixels (pixel centres at integer coordinates).
/// </summary>
public sealed record AlignmentTemplate(string Name, int Width, int Height, IReadOnlyList<Vector2> Points)
{
    /// <summary>The standard ArcFace/InsightFace 112×112 template (Deng et al., CVPR 2019; insightface <c>arcface_dst</c>).</summary>
    public static AlignmentTemplate ArcFace112 { get; } = new("112", 112, 112,
    [
        new(38.2946f, 51.6963f), new(73.5318f, 51.5014f), new(56.0252f, 71.7366f), new(41.5493f, 92.3655f), new(70.7299f, 92.2041f),
    ]);

    /// <summary>The 96×112 crop of SphereFace/CosFace: the 112×112 template moved 8 pixels left.</summary>
    public static AlignmentTemplate ArcFace96x112 { get; } = new("96x112", 96, 112, [.. ArcFace112.Points.Select(p => p - new Vector2(8, 0))]);

    /// <summary>The 112×112 template scaled by 128/112 to a 128×128 crop (same framing, more pixels).</summary>
    public static AlignmentTemplate ArcFace128 { get; } = new("128", 128, 128, [.. ArcFace112.Points.Select(p => p * (128f / 112f))]);

    /// <summary>
    /// dlib's 150×150 face chip with padding 0.25 (<c>get_face_chip(img, shape, 150, 0.25)</c>, the input of dlib's ResNet and
    /// face-api.js's recogniser). dlib places a point p of its mean face (unit square) at (padding + p)/(1 + 2·padding) × size,
    /// i.e. at (0.25 + p) × 100 here. dlib's own 5-point model marks eye corners and the base of the nose, not YuNet's points, so the
    /// template takes YuNet's points from dlib's 68-point mean face (<c>mean_face_shape_x/y</c> in <c>get_face_chip_details</c>,
    /// <c>dlib/image_transforms/interpolation.h</c>; its 5-point eye corners and nose base agree with these to within 0.003):
    /// each eye is the mean of its six contour points (36–41, 42–47), the nose tip is point 30, the mouth corners 48 and 54.
    /// The eye centres are that approximation; the rest are dlib's numbers.
    /// </summary>
    public static AlignmentTemplate DlibChip150 { get; } = DlibChip(150, 0.25);

    /// <summary>The templates by name, as the CLI's <c>--size</c> spells them.</summary>
    public static IReadOnlyList<AlignmentTemplate> All { get; } = [ArcFace112, ArcFace96x112, ArcFace128, DlibChip150];

    /// <summary>The template named <paramref name="name"/> (112, 96x112, 128 or 150); null when none is.</summary>
    public static AlignmentTemplate? Find(string name) =>
        All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

    private static AlignmentTemplate DlibChip(int size, double padding)
    {
        // dlib's 68-point mean face, points 36–48 and 54 (x, y), in its unit square.
        (double X, double Y)[] rightEye = [(0.121737, 0.216423), (0.187122, 0.178758), (0.265825, 0.179852), (0.334606, 0.231733), (0.260918, 0.245099), (0.182743, 0.244077)];
        (double X, double Y)[] leftEye = [(0.645647, 0.231733), (0.714428, 0.179852), (0.793132, 0.178758), (0.858516, 0.216423), (0.79751, 0.244077), (0.719335, 0.245099)];
        (double X, double Y) noseTip = (0.490127, 0.515625), mouthRight = (0.254149, 0.780233), mouthLeft = (0.726104, 0.780233);
        Vector2 Place((double X, double Y) p) => new((float)((padding + p.X) / (1 + 2 * padding) * size), (float)((padding + p.Y) / (1 + 2 * padding) * size));
        (double, double) Mean((double X, double Y)[] points) => (points.Average(p => p.X), points.Average(p => p.Y));
        // The subject's right eye and mouth corner are on the image's left, the first of each pair in YuNet's order.
        return new AlignmentTemplate(size.ToString(System.Globalization.CultureInfo.InvariantCulture), size, size,
            [Place(Mean(rightEye)), Place(Mean(leftEye)), Place(noseTip), Place(mouthRight), Place(mouthLeft)]);
    }
}
