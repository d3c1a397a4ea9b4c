using SkiaSharp;

namespace MarginFace.Imaging;

/// <summary>
/// Encodes an <see cref="RgbImage"/> as JPEG with SkiaSharp (libjpeg-turbo), as InsightFace stores its aligned faces in
/// RecordIO and <c>.bin</c> sets (its packing scripts use quality 95).
/// </summary>
internal static class JpegEncoder
{
    /// <summary>InsightFace's quality (<c>face2rec2.py</c>, <c>cv2.imencode</c> with quality 95).</summary>
    public const int DefaultQuality = 95;

    /// <summary>The JPEG bytes of <paramref name="image"/> (grey or RGB) at <paramref name="quality"/> (1–100).</summary>
    public static byte[] Encode(RgbImage image, int quality = DefaultQuality)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        using var bitmap = ToBitmap(image);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    /// <summary>An opaque RGBA bitmap of <paramref name="image"/> (grey repeated in R, G and B).</summary>
    public static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[(long)image.Width * image.Height * 4];
        var pixels = image.Pixels;
        for (long i = 0, n = (long)image.Width * image.Height; i < n; i++)
        {
            if (image.Channels == 3) (rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]) = (pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2]);
            else rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = pixels[i];
            rgba[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }
}
