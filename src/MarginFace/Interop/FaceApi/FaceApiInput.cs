using System.Numerics;
using MarginFace.Imaging;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// face-api's input path for its face-crop networks, reproduced step by step so that the numbers agree with its JavaScript:
/// <list type="number">
/// <item><c>extractFaceTensors</c>: the box is clipped at the image borders (x' = max(x, 0), w' = min(x + w − x', W − x'), the
/// same for y) and each of x', y', w', h' floored, then sliced out;</item>
/// <item><c>NetInput.toBatchTensor(112, true)</c> → <c>padToSquare(centre)</c>: zeros are appended after the shorter side,
/// round(d / 2) of them (d = |w − h|, JavaScript rounding), and the remaining d − round(d / 2) prepended;</item>
/// <item><c>resizeBilinear(112, alignCorners = false, halfPixelCenters = false)</c> when the square is not already 112: source
/// coordinate = destination · side / 112, the two neighbours floor and min(ceil, side − 1), interpolated along x then y;</item>
/// <item><c>normalize</c> and <c>div(255)</c>: (value − mean) / 255 with mean RGB (122.782, 117.001, 104.298).</item>
/// </list>
/// <see cref="Landmarks"/> is face-api's <c>FaceLandmark68NetBase.postProcess</c>: x = (112 · outₓ − pₓ) / w̃ relative to the
/// crop, where w̃, h̃ = w, h · 112 / max(w, h) and the padding is taken as |w̃ − h̃| / 2 on the shorter side (face-api's own
/// assumption, half a pre-resize pixel off the actual padding when d is odd), then scaled by the crop's size and shifted by its
/// corner.
/// </summary>
internal static class FaceApiInput
{
    private static readonly float[] MeanRgb = [122.782f, 117.001f, 104.298f];

    /// <summary>The clipped, floored region of the image a box selects (pixel columns X..X+Width−1, rows Y..Y+Height−1).</summary>
    public readonly record struct Crop(int X, int Y, int Width, int Height);

    /// <summary>The crop of box (x, y, width, height) in a <paramref name="imageWidth"/>×<paramref name="imageHeight"/> image; null when nothing of it is inside.</summary>
    public static Crop? Clip(int imageWidth, int imageHeight, double x, double y, double width, double height)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y) || !double.IsFinite(width) || !double.IsFinite(height)) return null;
        double clippedX = Math.Max(x, 0), clippedY = Math.Max(y, 0);
        var clippedWidth = Math.Min(x + width - clippedX, imageWidth - clippedX);
        var clippedHeight = Math.Min(y + height - clippedY, imageHeight - clippedY);
        var crop = new Crop((int)Math.Floor(clippedX), (int)Math.Floor(clippedY), (int)Math.Floor(clippedWidth), (int)Math.Floor(clippedHeight));
        return crop.Width > 0 && crop.Height > 0 && crop.X < imageWidth && crop.Y < imageHeight ? crop : null;
    }

    /// <summary>The crop of a box, or a one-line <see cref="MarginFaceException"/> naming the box when nothing of it lies in the image.</summary>
    public static Crop ClipOrThrow(RgbImage image, double x, double y, double width, double height) =>
        Clip(image.Width, image.Height, x, y, width, height)
        ?? throw new MarginFaceException($"face box ({x:0.##}, {y:0.##}, {width:0.##}×{height:0.##}) has no pixel inside the {image.Width}×{image.Height} image");

    /// <summary>
    /// Writes the network input of <paramref name="crop"/> (<c>[3, 112, 112]</c>, normalised, NCHW) into <paramref name="destination"/>:
    /// the crop zero-padded to a square of side max(w, h) as <c>padToSquare(…, true)</c> does (round(d/2) after it, the rest
    /// before), resized by <see cref="FaceApiDetectorInput.Planes"/> (TF's legacy bilinear, exact when the side is already 112).
    /// </summary>
    public static void Fill(RgbImage image, Crop crop, Span<float> destination)
    {
        const int size = FaceApiGraphs.InputSize;
        if (destination.Length < 3 * size * size) throw new ArgumentException("destination holds fewer than 3·112·112 values", nameof(destination));
        var side = Math.Max(crop.Width, crop.Height);
        var difference = side - Math.Min(crop.Width, crop.Height);
        var prepend = difference - (int)Math.Floor(difference * 0.5 + 0.5);
        int offsetX = crop.Width < crop.Height ? prepend : 0, offsetY = crop.Height < crop.Width ? prepend : 0;
        var face = Imaging.AffineWarp.Crop(image, crop.X, crop.Y, crop.Width, crop.Height);
        FaceApiDetectorInput.Planes(face, side, offsetX, offsetY, 0, size, (c, v) => (v - MeanRgb[c]) / 255f).CopyTo(destination);
    }

    /// <summary>The 68 points of the raw network output <paramref name="output"/> (136 values, x and y interleaved) in image pixels.</summary>
    public static Vector2[] Landmarks(ReadOnlySpan<float> output, Crop crop)
    {
        const float size = FaceApiGraphs.InputSize;
        if (output.Length != 136) throw new ArgumentException($"expected 136 values, got {output.Length}", nameof(output));
        var scale = size / Math.Max(crop.Width, crop.Height);
        double scaledWidth = crop.Width * scale, scaledHeight = crop.Height * scale;
        var padX = (float)(scaledWidth < scaledHeight ? Math.Abs(scaledWidth - scaledHeight) / 2 : 0);
        var padY = (float)(scaledHeight < scaledWidth ? Math.Abs(scaledWidth - scaledHeight) / 2 : 0);
        var points = new Vector2[68];
        for (var i = 0; i < 68; i++)
        {
            var relativeX = (output[2 * i] * size - padX) / (float)scaledWidth;
            var relativeY = (output[2 * i + 1] * size - padY) / (float)scaledHeight;
            points[i] = new Vector2((float)(relativeX * (double)crop.Width + crop.X), (float)(relativeY * (double)crop.Height + crop.Y));
        }
        return points;
    }
}
