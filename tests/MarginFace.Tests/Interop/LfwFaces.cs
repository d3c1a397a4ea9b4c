using SkiaSharp;
using static TorchSharp.torch;

namespace MarginFace.Tests.Interop;

/// <summary>LFW (deep-funneled) read in place from <c>../shared/data/lfw</c>, and its View 2 pairs.</summary>
public static class LfwFaces
{
    /// <summary>The <c>lfw</c> folder of <see cref="SharedData"/>, or null when it or its pairs.txt is absent.</summary>
    public static string? Root => SharedData.Data("lfw") is { } lfw && File.Exists(Path.Combine(lfw, "pairs.txt")) ? lfw : null;

    public static string ImagePath(string root, string name, int number) =>
        Path.Combine(root, "lfw-deepfunneled", name, $"{name}_{number:0000}.jpg");

    /// <summary>The first <paramref name="count"/> same-person and different-person pairs of fold 1 of pairs.txt.</summary>
    public static (List<(string A, string B)> Same, List<(string A, string B)> Different) Fold1Pairs(string root, int count)
    {
        var lines = File.ReadLines(Path.Combine(root, "pairs.txt")).Skip(1).Take(600)
            .Select(line => line.Split('\t', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var same = lines.Where(p => p.Length == 3).Take(count)
            .Select(p => (ImagePath(root, p[0], int.Parse(p[1])), ImagePath(root, p[0], int.Parse(p[2])))).ToList();
        var different = lines.Where(p => p.Length == 4).Take(count)
            .Select(p => (ImagePath(root, p[0], int.Parse(p[1])), ImagePath(root, p[2], int.Parse(p[3])))).ToList();
        return (same, different);
    }

    /// <summary>The centre <paramref name="crop"/>×<paramref name="crop"/> of an image, resized to <paramref name="size"/>, as RGB 0..255 <c>[3,size,size]</c>.</summary>
    public static Tensor CentreCrop(string path, int crop, int size)
    {
        using var image = SKBitmap.Decode(path) ?? throw new InvalidOperationException($"{path}: not readable");
        using var cropped = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using (var canvas = new SKCanvas(cropped))
        {
            var left = (image.Width - crop) / 2f;
            var top = (image.Height - crop) / 2f;
            using var paint = new SKPaint();
            canvas.DrawImage(SKImage.FromBitmap(image), SKRect.Create(left, top, crop, crop), SKRect.Create(0, 0, size, size),
                new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None), paint);
        }
        var rgba = cropped.Bytes;
        var rgb = new byte[3 * size * size];
        for (var i = 0; i < size * size; i++)
            for (var c = 0; c < 3; c++)
                rgb[c * size * size + i] = rgba[4 * i + c];
        return tensor(rgb, ScalarType.Byte).reshape(3, size, size);
    }
}
