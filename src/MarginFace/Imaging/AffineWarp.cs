namespace MarginFace.Imaging;

/// <summary>
/// Bilinear affine warps of an <see cref="RgbImage"/>. A matrix is six numbers, the 2×3 row-major
/// <c>[a, b, c, d, e, f]</c> mapping <c>(x, y)</c> to <c>(a·x + b·y + c, d·x + e·y + f)</c>; pixel centres sit at integer
/// coordinates (pixel (0, 0) covers [−0.5, 0.5]², as in OpenCV's <c>warpAffine</c>). <see cref="Warp"/> takes the forward map
/// (source → output) and samples the source at M⁻¹·(x, y); <see cref="WarpInverse(RgbImage, ReadOnlySpan{double}, int, int, WarpBorder)"/> takes the output → source map directly.
/// A sample is <c>(1−fy)·((1−fx)·p00 + fx·p10) + fy·((1−fx)·p01 + fx·p11)</c>, rounded half up to a byte, so integer
/// positions reproduce source pixels exactly.
/// </summary>
internal static class AffineWarp
{
    /// <summary>The identity matrix.</summary>
    public static double[] Identity => [1, 0, 0, 0, 1, 0];

    /// <summary>
    /// Output pixel (x, y) of a <paramref name="width"/>×<paramref name="height"/> image is the source sampled at
    /// M⁻¹·(x, y), where <paramref name="sourceToOutput"/> = M maps source coordinates to output coordinates.
    /// </summary>
    public static RgbImage Warp(RgbImage source, ReadOnlySpan<double> sourceToOutput, int width, int height, WarpBorder border = WarpBorder.Constant) =>
        WarpInverse(source, Invert(sourceToOutput), width, height, border);

    /// <summary>Output pixel (x, y) is the source sampled at <paramref name="outputToSource"/>·(x, y).</summary>
    public static RgbImage WarpInverse(RgbImage source, ReadOnlySpan<double> outputToSource, int width, int height, WarpBorder border = WarpBorder.Constant) =>
        WarpInverse(source, outputToSource, width, height, border, axisAlignedPath: true);

    /// <summary><see cref="WarpInverse(RgbImage, ReadOnlySpan{double}, int, int, WarpBorder)"/>, optionally without the axis-aligned fast path (tests compare the two).</summary>
    internal static RgbImage WarpInverse(RgbImage source, ReadOnlySpan<double> outputToSource, int width, int height, WarpBorder border, bool axisAlignedPath)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckMatrix(outputToSource, nameof(outputToSource));
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int channels = source.Channels;
        ImageFile.CheckSize(width, height, "warp output", ImageFile.MaxPixels);
        var output = new byte[(long)width * height * channels];
        double a = outputToSource[0], b = outputToSource[1], c = outputToSource[2];
        double d = outputToSource[3], e = outputToSource[4], f = outputToSource[5];
        if (b == 0 && d == 0 && axisAlignedPath)
        {
            WarpAxisAligned(source, a, c, e, f, width, height, border, output);
            return new RgbImage(width, height, channels, output);
        }
        Span<float> pixel = stackalloc float[3];
        long at = 0;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++, at += channels)
            {
                double sx = a * x + b * y + c, sy = d * x + e * y + f;
                Sample(source, sx, sy, border, pixel[..channels]);
                for (int k = 0; k < channels; k++) output[at + k] = (byte)Math.Clamp((int)(pixel[k] + 0.5f), 0, 255);
            }
        }
        return new RgbImage(width, height, channels, output);
    }

    /// <summary>
    /// <see cref="WarpInverse(RgbImage, ReadOnlySpan{double}, int, int, WarpBorder)"/> for a map without rotation or shear (resizes, crops and flips): the source column and row of
    /// each output column and row are computed once, by the same expressions and in the same order as the general path, so
    /// the bytes are the same; pixels whose 2×2 neighbourhood leaves the image go through <see cref="Sample"/> as there.
    /// </summary>
    private static void WarpAxisAligned(RgbImage source, double a, double c, double e, double f, int width, int height, WarpBorder border, byte[] output)
    {
        int w = source.Width, h = source.Height, channels = source.Channels;
        var columns = new (int Index, float Weight, bool Inside)[width];
        for (int x = 0; x < width; x++)
        {
            double sx = a * x + 0.0 * 0 + c;
            columns[x] = Coordinate(sx, w, border);
        }
        var p = source.Pixels;
        Span<float> pixel = stackalloc float[3];
        long at = 0;
        for (int y = 0; y < height; y++)
        {
            double sy = 0.0 * 0 + e * y + f;
            var (y0, fy, rowInside) = Coordinate(sy, h, border);
            long row0 = (long)y0 * w * channels, row1 = row0 + (long)w * channels;
            for (int x = 0; x < width; x++, at += channels)
            {
                var (x0, fx, columnInside) = columns[x];
                if (!(rowInside && columnInside))
                {
                    Sample(source, a * x + 0.0 * y + c, 0.0 * x + e * y + f, border, pixel[..channels]);
                    for (int k = 0; k < channels; k++) output[at + k] = (byte)Math.Clamp((int)(pixel[k] + 0.5f), 0, 255);
                    continue;
                }
                long i00 = row0 + (long)x0 * channels, i01 = row1 + (long)x0 * channels;
                for (int k = 0; k < channels; k++)
                {
                    float top = (1 - fx) * p[i00 + k] + fx * p[i00 + channels + k];
                    float bottom = (1 - fx) * p[i01 + k] + fx * p[i01 + channels + k];
                    var value = (1 - fy) * top + fy * bottom;
                    output[at + k] = (byte)Math.Clamp((int)(value + 0.5f), 0, 255);
                }
            }
        }
    }

    /// <summary>One source coordinate as <see cref="Sample"/> reads it: clamped (replicate), floor, fraction, and whether it and the next lie inside.</summary>
    private static (int Index, float Weight, bool Inside) Coordinate(double s, int size, WarpBorder border)
    {
        if (border == WarpBorder.Replicate) s = Math.Clamp(s, 0, size - 1);
        else if (!(s > -1 && s < size)) return (0, 0, false);
        var i = (int)Math.Floor(s);
        return (i, (float)(s - i), i >= 0 && i + 1 < size);
    }

    /// <summary>
    /// Bilinear resize to <paramref name="width"/>×<paramref name="height"/> with half-pixel alignment (as OpenCV's
    /// <c>INTER_LINEAR</c>): output x samples source <c>(x + 0.5)·W/w − 0.5</c>, edges replicated. A 2× downscale is the
    /// mean of each 2×2 block; strong downscales (more than 2×) skip source pixels.
    /// </summary>
    public static RgbImage Resize(RgbImage image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width == image.Width && height == image.Height) return image;
        double sx = (double)image.Width / width, sy = (double)image.Height / height;
        return WarpInverse(image, [sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5], width, height, WarpBorder.Replicate);
    }

    /// <summary>
    /// The <paramref name="width"/>×<paramref name="height"/> region whose top-left pixel is (<paramref name="x"/>, <paramref name="y"/>),
    /// copied exactly; parts of the region outside the image are 0.
    /// </summary>
    public static RgbImage Crop(RgbImage image, int x, int y, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ImageFile.CheckSize(width, height, "crop", ImageFile.MaxPixels);
        int channels = image.Channels;
        var output = new byte[(long)width * height * channels];
        int left = Math.Max(0, x), right = (int)Math.Min((long)image.Width, (long)x + width);
        int top = Math.Max(0, y), bottom = (int)Math.Min((long)image.Height, (long)y + height);
        if (left < right)
        {
            int rowBytes = (right - left) * channels;
            for (int row = top; row < bottom; row++)
            {
                long from = ((long)row * image.Width + left) * channels;
                long to = ((long)(row - y) * width + (left - x)) * channels;
                Array.Copy(image.Pixels, from, output, to, rowBytes);
            }
        }
        return new RgbImage(width, height, channels, output);
    }

    /// <summary>The inverse of an invertible affine matrix.</summary>
    public static double[] Invert(ReadOnlySpan<double> matrix)
    {
        CheckMatrix(matrix, nameof(matrix));
        double a = matrix[0], b = matrix[1], c = matrix[2], d = matrix[3], e = matrix[4], f = matrix[5];
        var det = a * e - b * d;
        if (det == 0 || !double.IsFinite(1 / det))
            throw new ArgumentException($"the affine matrix [{a}, {b}, {c}; {d}, {e}, {f}] is singular.", nameof(matrix));
        double ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
        return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
    }

    private static void CheckMatrix(ReadOnlySpan<double> matrix, string name)
    {
        if (matrix.Length != 6) throw new ArgumentException($"an affine matrix has 6 numbers (2×3, row-major), got {matrix.Length}.", name);
        foreach (var v in matrix)
            if (!double.IsFinite(v)) throw new ArgumentException("an affine matrix must be finite.", name);
    }

    private static void Sample(RgbImage source, double sx, double sy, WarpBorder border, Span<float> pixel)
    {
        int w = source.Width, h = source.Height;
        if (border == WarpBorder.Replicate)
        {
            sx = Math.Clamp(sx, 0, w - 1);
            sy = Math.Clamp(sy, 0, h - 1);
        }
        else if (!(sx > -1 && sx < w && sy > -1 && sy < h))
        {
            pixel.Clear();
            return;
        }
        int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
        float fx = (float)(sx - x0), fy = (float)(sy - y0);
        var p = source.Pixels;
        int channels = pixel.Length;
        if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h)
        {
            long i00 = ((long)y0 * w + x0) * channels, i01 = i00 + (long)w * channels;
            for (int k = 0; k < channels; k++)
            {
                float top = (1 - fx) * p[i00 + k] + fx * p[i00 + channels + k];
                float bottom = (1 - fx) * p[i01 + k] + fx * p[i01 + channels + k];
                pixel[k] = (1 - fy) * top + fy * bottom;
            }
            return;
        }
        // At the border: replicate clamps neighbours into the image; constant reads 0 outside it.
        for (int k = 0; k < channels; k++)
        {
            float top = (1 - fx) * At(source, x0, y0, k, border) + fx * At(source, x0 + 1, y0, k, border);
            float bottom = (1 - fx) * At(source, x0, y0 + 1, k, border) + fx * At(source, x0 + 1, y0 + 1, k, border);
            pixel[k] = (1 - fy) * top + fy * bottom;
        }
    }

    private static float At(RgbImage source, int x, int y, int channel, WarpBorder border)
    {
        if (border == WarpBorder.Replicate)
        {
            x = Math.Clamp(x, 0, source.Width - 1);
            y = Math.Clamp(y, 0, source.Height - 1);
        }
        else if (x < 0 || y < 0 || x >= source.Width || y >= source.Height) return 0;
        return source.Pixels[((long)y * source.Width + x) * source.Channels + channel];
    }
}
