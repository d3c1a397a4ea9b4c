using MarginFace.Imaging;
using SkiaSharp;

namespace MarginFace.Tests.Fuzz;

/// <summary>Mutated PNG and PGM files (the other formats photos come in; JPEG has its own test) decode or are refused in one line.</summary>
public class ImageFileFuzzTests
{
    [Fact]
    public void MutatedPngsDecodeOrFailWithAMarginFaceException()
    {
        using var bitmap = new SKBitmap(24, 20);
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 24; x++) bitmap.SetPixel(x, y, new SKColor((byte)(x * 10), (byte)(y * 12), (byte)(x ^ y)));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        var (run, _) = FuzzLoop.Run(data.ToArray(), seed: 5, cases: 1500, budget: TimeSpan.FromSeconds(2), bytes => ImageFile.Decode(bytes, "fuzz.png"));
        Assert.True(run > 0);
    }

    [Fact]
    public void MutatedPgmsDecodeOrFailWithAMarginFaceException()
    {
        var header = "P5\n# a face\n23 17\n255\n"u8.ToArray();
        var pixels = Enumerable.Range(0, 23 * 17).Select(i => (byte)(i * 7)).ToArray();
        var (run, _) = FuzzLoop.Run([.. header, .. pixels], seed: 9, cases: 1500, budget: TimeSpan.FromSeconds(2), bytes => ImageFile.Decode(bytes, "fuzz.pgm"));
        Assert.True(run > 0);
    }
}
