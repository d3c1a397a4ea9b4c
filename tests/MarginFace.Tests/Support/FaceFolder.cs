using SkiaSharp;

namespace MarginFace.Tests.Support;

/// <summary>Writes tiny identity folders of generated PNGs: identity k's image j has a pattern no other image has.</summary>
internal static class FaceFolder
{
    public static string Identity(int k) => $"person_{k:D2}";

    /// <summary><paramref name="identities"/> folders of <paramref name="images"/> PNGs each, <paramref name="size"/> pixels square.</summary>
    public static string Write(TempDirectory dir, int identities = 8, int images = 6, int size = 32)
    {
        var root = dir.Combine("faces");
        for (int k = 0; k < identities; k++)
        {
            Directory.CreateDirectory(Path.Combine(root, Identity(k)));
            for (int j = 0; j < images; j++) WritePng(Path.Combine(root, Identity(k), $"{j:D4}.png"), size, k, j);
        }
        return root;
    }

    public static void WritePng(string path, int size, int k, int j)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 7 + 30 * k), (byte)(y * 5 + 40 * j), (byte)((x * y + k * 13 + j * 17) % 256)));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
