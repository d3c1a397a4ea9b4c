using MarginFace.Imaging;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// face-api's <c>NetInput.toBatchTensor(size, false)</c> for one image: the image is placed on a square canvas (face-api:
/// side max(W, H), image at the top-left, zeros filling the bottom/right, <c>padToSquare</c>) and resized to
/// <c>size × size</c> with TF's <c>resizeBilinear(alignCorners = false, halfPixelCenters = false)</c>: output pixel (r, c)
/// reads the canvas at (r·S/size, c·S/size), interpolating between floor and min(ceil, S − 1). The canvas is virtual (pixels
/// outside the image read the fill value), so a 64-megapixel photo costs no copy: only <c>3 · size²</c> floats are made.
/// </summary>
internal static class FaceApiDetectorInput
{
    /// <summary>
    /// Planes <c>[3, size, size]</c> (R, G, B; grey repeated) of the canvas of side <paramref name="canvas"/> holding
    /// <paramref name="image"/> at (<paramref name="offsetX"/>, <paramref name="offsetY"/>) on <paramref name="fill"/>, resized
    /// to <paramref name="size"/>, each value v stored as <paramref name="normalise"/>(channel, v).
    /// </summary>
    public static float[] Planes(RgbImage image, int canvas, int offsetX, int offsetY, float fill, int size, Func<int, float, float> normalise)
    {
        ArgumentNullException.ThrowIfNull(image);
        var ratio = (double)canvas / size;
        var (x0, x1, fx) = Taps(size, ratio, canvas);
        var (y0, y1, fy) = Taps(size, ratio, canvas);
        var plane = size * size;
        var planes = new float[3 * plane];
        int width = image.Width, height = image.Height, channels = image.Channels;
        var pixels = image.Pixels;
        float At(int x, int y, int c)
        {
            x -= offsetX;
            y -= offsetY;
            if ((uint)x >= (uint)width || (uint)y >= (uint)height) return fill;
            return pixels[((long)y * width + x) * channels + (channels == 3 ? c : 0)];
        }
        for (int r = 0; r < size; r++)
            for (int col = 0; col < size; col++)
                for (int c = 0; c < 3; c++)
                {
                    double topLeft = At(x0[col], y0[r], c), topRight = At(x1[col], y0[r], c);
                    double bottomLeft = At(x0[col], y1[r], c), bottomRight = At(x1[col], y1[r], c);
                    var top = topLeft + (topRight - topLeft) * fx[col];
                    var bottom = bottomLeft + (bottomRight - bottomLeft) * fx[col];
                    planes[c * plane + r * size + col] = normalise(c, (float)(top + (bottom - top) * fy[r]));
                }
        return planes;
    }

    /// <summary>face-api's <c>computeReshapedDimensions</c>: the image's size scaled so that its longer side is <paramref name="size"/>, rounded.</summary>
    public static (int Width, int Height) Reshaped(int width, int height, int size)
    {
        var scale = (double)size / Math.Max(width, height);
        return ((int)Math.Round(width * scale, MidpointRounding.AwayFromZero), (int)Math.Round(height * scale, MidpointRounding.AwayFromZero));
    }

    private static (int[] Floor, int[] Ceil, double[] Fraction) Taps(int size, double ratio, int canvas)
    {
        var floor = new int[size];
        var ceil = new int[size];
        var fraction = new double[size];
        for (int i = 0; i < size; i++)
        {
            var source = ratio * i;
            floor[i] = Math.Max(0, (int)Math.Floor(source));
            ceil[i] = Math.Min(canvas - 1, (int)Math.Ceiling(source));
            fraction[i] = source - floor[i];
        }
        return (floor, ceil, fraction);
    }
}
