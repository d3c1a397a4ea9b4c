using SkiaSharp;
using MarginFace.Imaging;

namespace MarginFace.Tests.Imaging;

[Trait("Category", "Integration")]
public class ImageFileTests
{
    private static string WriteEncoded(TempDirectory dir, string name, SKEncodedImageFormat format, int width, int height, bool grey = false)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, grey ? new SKColor((byte)(x * 10), (byte)(x * 10), (byte)(x * 10)) : new SKColor((byte)(x * 10), (byte)(y * 10), 200));
        using var data = bitmap.Encode(format, 100);
        var path = dir.Combine(name);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    [Fact]
    public void PngDecodesToExactRgbPixelsInRowMajorOrder()
    {
        using var dir = new TempDirectory();
        var image = ImageFile.Read(WriteEncoded(dir, "a.png", SKEncodedImageFormat.Png, 5, 4));
        Assert.Equal((5, 4, 3), (image.Width, image.Height, image.Channels));
        Assert.Equal(new byte[] { 30, 20, 200 }, new[] { image[3, 2, 0], image[3, 2, 1], image[3, 2, 2] });
    }

    [Fact]
    public void GreyPngDecodesToOneChannel()
    {
        using var dir = new TempDirectory();
        var image = ImageFile.Read(WriteEncoded(dir, "g.png", SKEncodedImageFormat.Png, 6, 3, grey: true));
        Assert.Equal(1, image.Channels);
        Assert.Equal(40, image[4, 1, 0]);
    }

    [Fact]
    public void JpegAndWebpDecodeWithTheirSize()
    {
        using var dir = new TempDirectory();
        Assert.Equal((16, 8), Size(ImageFile.Read(WriteEncoded(dir, "a.jpg", SKEncodedImageFormat.Jpeg, 16, 8))));
        Assert.Equal((7, 9), Size(ImageFile.Read(WriteEncoded(dir, "a.webp", SKEncodedImageFormat.Webp, 7, 9))));
    }

    [Fact]
    public void BinaryAndAsciiPgmGiveTheSamePixels()
    {
        using var dir = new TempDirectory();
        var p5 = dir.Combine("a.pgm");
        File.WriteAllBytes(p5, [.. "P5\n# comment\n3 2\n255\n"u8.ToArray(), 0, 10, 20, 30, 40, 255]);
        var p2 = dir.Combine("b.pgm");
        File.WriteAllText(p2, "P2\n3 2\n255\n0 10 20\n30 40 255\n");
        var a = ImageFile.Read(p5);
        var b = ImageFile.Read(p2);
        Assert.Equal((3, 2, 1), (a.Width, a.Height, a.Channels));
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.Equal(new byte[] { 0, 10, 20, 30, 40, 255 }, a.Pixels);
    }

    [Fact]
    public void SixteenBitPgmIsScaledToEightBits()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("w.pgm");
        File.WriteAllBytes(path, [.. "P5 2 1 65535\n"u8.ToArray(), 0xFF, 0xFF, 0x80, 0x00]);
        Assert.Equal(new byte[] { 255, 128 }, ImageFile.Read(path).Pixels);
    }

    [Fact]
    public void TruncatedPgmIsAOneLineErrorNamingTheFile()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("t.pgm");
        File.WriteAllBytes(path, [.. "P5 4 4 255\n"u8.ToArray(), 1, 2, 3]);
        var e = Assert.Throws<MarginFaceException>(() => ImageFile.Read(path));
        Assert.StartsWith(path + ": truncated PGM", e.Message);
    }

    [Fact]
    public void HugePgmHeaderIsRejectedBeforeAllocating()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("huge.pgm");
        File.WriteAllText(path, "P5 20000 20000 255\n");
        var e = Assert.Throws<MarginFaceException>(() => ImageFile.Read(path));
        Assert.Contains("20000×20000", e.Message);
    }

    [Fact]
    public void HugeBmpHeaderIsRejectedFromItsHeader()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("huge.bmp");
        var header = new byte[54];
        "BM"u8.CopyTo(header);
        BitConverter.GetBytes(54 + 20000 * 20000 * 3).CopyTo(header, 2);
        BitConverter.GetBytes(54).CopyTo(header, 10);
        BitConverter.GetBytes(40).CopyTo(header, 14);
        BitConverter.GetBytes(20000).CopyTo(header, 18);
        BitConverter.GetBytes(20000).CopyTo(header, 22);
        BitConverter.GetBytes((short)1).CopyTo(header, 26);
        BitConverter.GetBytes((short)24).CopyTo(header, 28);
        File.WriteAllBytes(path, header);
        var before = GC.GetTotalAllocatedBytes();
        var e = Assert.Throws<MarginFaceException>(() => ImageFile.Read(path));
        Assert.StartsWith(path + ":", e.Message);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 100_000_000, "nothing image-sized was allocated");
    }

    [Fact]
    public void TextFileNamedJpgIsNotAnImage()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("fake.jpg");
        File.WriteAllText(path, "hello, I am not a JPEG");
        Assert.Equal($"{path}: not an image (unknown or corrupt format)", Assert.Throws<MarginFaceException>(() => ImageFile.Read(path)).Message);
    }

    [Fact]
    public void ZeroByteAndMissingFilesAreOneLineErrors()
    {
        using var dir = new TempDirectory();
        var empty = dir.Combine("empty.png");
        File.WriteAllBytes(empty, []);
        Assert.Equal($"{empty}: empty file", Assert.Throws<MarginFaceException>(() => ImageFile.Read(empty)).Message);
        var missing = dir.Combine("missing.png");
        Assert.Equal($"{missing}: file not found", Assert.Throws<MarginFaceException>(() => ImageFile.Read(missing)).Message);
    }

    [Fact]
    public void TruncatedJpegIsAnError()
    {
        using var dir = new TempDirectory();
        var path = WriteEncoded(dir, "cut.jpg", SKEncodedImageFormat.Jpeg, 64, 64);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.StartsWith(path + ":", Assert.Throws<MarginFaceException>(() => ImageFile.Read(path)).Message);
    }

    [Fact]
    public void GreyAndRgbConvertByLuma()
    {
        var rgb = new RgbImage(1, 1, 3, [255, 0, 0]);
        Assert.Equal(76, rgb.ToGrey().Pixels[0]);
        Assert.Equal(new byte[] { 76, 76, 76 }, rgb.ToGrey().ToRgb().Pixels);
    }

    [SharedDataFact("data/orl_faces/s1/1.pgm")]
    public void OrlFaceReadsAs92By112Grey()
    {
        var image = ImageFile.Read(SharedData.Data("orl_faces", "s1", "1.pgm")!);
        Assert.Equal((92, 112, 1), (image.Width, image.Height, image.Channels));
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled/Aaron_Eckhart/Aaron_Eckhart_0001.jpg")]
    public void LfwFaceReadsAs250By250Colour()
    {
        var image = ImageFile.Read(SharedData.Data("lfw", "lfw-deepfunneled", "Aaron_Eckhart", "Aaron_Eckhart_0001.jpg")!);
        Assert.Equal((250, 250, 3), (image.Width, image.Height, image.Channels));
    }

    private static (int, int) Size(RgbImage image) => (image.Width, image.Height);
}
