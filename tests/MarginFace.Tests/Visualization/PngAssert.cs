using SkiaSharp;
using MarginFace.Visualization;

namespace MarginFace.Tests.Visualization;

/// <summary>Checks on written PNGs; with MARGINFACE_TEST_ARTIFACTS set, also copies each checked image there for a human to look at.</summary>
internal static class PngAssert
{
    public static SKBitmap Decodes(string path, int width, int height)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        Assert.Equal(width, bitmap.Width);
        Assert.Equal(height, bitmap.Height);
        Keep(path);
        return bitmap;
    }

    /// <summary>Asserts that each of the first <paramref name="classes"/> class colours appears (within a small tolerance) somewhere.</summary>
    public static void ShowsClassColours(SKBitmap bitmap, int classes) => ShowsColours(bitmap, Enumerable.Range(0, classes).ToArray());

    /// <summary>Asserts that the palette colour of each of <paramref name="classIndices"/> appears (within a small tolerance) somewhere.</summary>
    public static void ShowsColours(SKBitmap bitmap, params int[] classIndices)
    {
        var found = new bool[classIndices.Length];
        foreach (var pixel in bitmap.Pixels)
            for (int k = 0; k < classIndices.Length; k++)
                if (!found[k] && Close(pixel, ClassPalette.Rgb(classIndices[k]))) found[k] = true;
        for (int k = 0; k < classIndices.Length; k++) Assert.True(found[k], $"no pixel in the colour of class {classIndices[k]}");
    }

    public static void Keep(string path)
    {
        var directory = Environment.GetEnvironmentVariable("MARGINFACE_TEST_ARTIFACTS");
        if (string.IsNullOrEmpty(directory)) return;
        Directory.CreateDirectory(directory);
        File.Copy(path, Path.Combine(directory, Path.GetFileName(path)), overwrite: true);
    }

    private static bool Close(SKColor pixel, uint rgb) =>
        Math.Abs(pixel.Red - (int)(rgb >> 16 & 0xFF)) <= 6 &&
        Math.Abs(pixel.Green - (int)(rgb >> 8 & 0xFF)) <= 6 &&
        Math.Abs(pixel.Blue - (int)(rgb & 0xFF)) <= 6;
}
