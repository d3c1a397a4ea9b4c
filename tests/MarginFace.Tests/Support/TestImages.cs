using SkiaSharp;
using MarginFace.Imaging;

namespace MarginFace.Tests.Support;

/// <summary>Images for the inference tests: LFW photos from <c>../shared</c> and canvases composed from them.</summary>
internal static class TestImages
{
    public const string YuNetModel = "models/yunet/yunet_s_dynamic.onnx";

    public const string Lfw = "data/lfw/lfw-deepfunneled";

    /// <summary>The LFW photos the tests read, for their <see cref="SharedDataFactAttribute"/>: a test declares each file it reads.</summary>
    public const string ColinPowell1 = Lfw + "/Colin_Powell/Colin_Powell_0001.jpg";

    public const string ColinPowell2 = Lfw + "/Colin_Powell/Colin_Powell_0002.jpg";

    public const string SerenaWilliams1 = Lfw + "/Serena_Williams/Serena_Williams_0001.jpg";

    public const string AaronEckhart1 = Lfw + "/Aaron_Eckhart/Aaron_Eckhart_0001.jpg";

    public const string GeorgeWBush1 = Lfw + "/George_W_Bush/George_W_Bush_0001.jpg";

    public static string LfwPath(string name, int number) =>
        SharedData.Data("lfw", "lfw-deepfunneled", name, $"{name}_{number:D4}.jpg")!;

    public static string YuNetPath => SharedData.Models("yunet", "yunet_s_dynamic.onnx")!;

    /// <summary>A canvas of one grey value.</summary>
    public static RgbImage Blank(int width, int height, byte value = 128)
    {
        var pixels = new byte[width * height * 3];
        Array.Fill(pixels, value);
        return new RgbImage(width, height, 3, pixels);
    }

    /// <summary>
    /// A grey <paramref name="width"/>×<paramref name="height"/> canvas with, for each placement, the central
    /// <paramref name="crop"/>×<paramref name="crop"/> square of an LFW photo scaled by its factor with its top-left corner at (x, y).
    /// </summary>
    public static RgbImage Canvas(int width, int height, int crop, params (string Path, float Scale, int X, int Y)[] placements)
    {
        using var surface = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(surface))
        {
            canvas.Clear(new SKColor(128, 128, 128));
            foreach (var (path, scale, x, y) in placements)
            {
                using var photo = SKBitmap.Decode(path);
                var left = (photo.Width - crop) / 2f;
                var top = (photo.Height - crop) / 2f;
                using var image = SKImage.FromBitmap(photo);
                canvas.DrawImage(image, new SKRect(left, top, left + crop, top + crop), new SKRect(x, y, x + crop * scale, y + crop * scale),
                    new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            }
        }
        return FromBitmap(surface);
    }

    public static RgbImage FromBitmap(SKBitmap bitmap)
    {
        var pixels = new byte[bitmap.Width * bitmap.Height * 3];
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var colour = bitmap.GetPixel(x, y);
                var at = (y * bitmap.Width + x) * 3;
                (pixels[at], pixels[at + 1], pixels[at + 2]) = (colour.Red, colour.Green, colour.Blue);
            }
        return new RgbImage(bitmap.Width, bitmap.Height, 3, pixels);
    }
}
