using SkiaSharp;
using MarginFace.Imaging;

namespace MarginFace.Tests.Imaging;

/// <summary>A JPEG damaged part way is unreadable, not half garbage; training skips and counts it.</summary>
public class ImageFileDamageTests
{
    /// <summary>The ways a file gets damaged in the middle of its compressed data: a run of zeros, noise, flipped bits, a stray end marker.</summary>
    public static TheoryData<string> Damages => [.. DamagedJpeg.Kinds];

    private static byte[] Jpeg(int width = 256, int height = 192, int quality = 90) => DamagedJpeg.Intact(width, height, quality);

    private static byte[] Damage(byte[] jpeg, string how) => DamagedJpeg.Damage(jpeg, how);

    private static int ScanStart(byte[] jpeg) => DamagedJpeg.ScanStart(jpeg);

    [Theory]
    [MemberData(nameof(Damages))]
    public void AJpegDamagedInTheMiddleIsAnErrorNamingTheFile(string how)
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("damaged.jpg");
        File.WriteAllBytes(path, Damage(Jpeg(), how));
        var error = Assert.Throws<MarginFaceException>(() => ImageFile.Read(path));
        Assert.StartsWith($"{path}: damaged image (", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void SkiaAloneCallsTheDamagedJpegASuccess()
    {
        // Why the compressed data is walked: libjpeg only warns, and Skia's result says nothing is wrong.
        var bytes = Damage(Jpeg(), "zeros");
        using var codec = SKCodec.Create(SKData.CreateCopy(bytes));
        using var bitmap = new SKBitmap(codec.Info);
        Assert.Equal(SKCodecResult.Success, codec.GetPixels(bitmap.Info, bitmap.GetPixels()));
    }

    [Fact]
    public void AJpegCutInTheMiddleOfItsDataIsAnError()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("cut.jpg");
        var bytes = Jpeg();
        File.WriteAllBytes(path, bytes[..(ScanStart(bytes) + 1000)]);
        Assert.StartsWith($"{path}: ", Assert.Throws<MarginFaceException>(() => ImageFile.Read(path)).Message);
    }

    [Theory]
    [InlineData(256, 192, 90)]
    [InlineData(250, 250, 75)]
    [InlineData(97, 61, 95)]
    [InlineData(1, 1, 100)]
    [InlineData(640, 480, 30)]
    public void IntactJpegsOfAnySizeAndQualityDecode(int width, int height, int quality)
    {
        var image = ImageFile.Decode(Jpeg(width, height, quality), "intact.jpg");
        Assert.Equal((width, height), (image.Width, image.Height));
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled/Aaron_Eckhart/Aaron_Eckhart_0001.jpg")]
    public void RealPhotosAreNotCalledDamaged()
    {
        var folder = Path.GetDirectoryName(Path.GetDirectoryName(SharedData.Data("lfw", "lfw-deepfunneled", "Aaron_Eckhart", "Aaron_Eckhart_0001.jpg"))!)!;
        foreach (var path in Directory.EnumerateFiles(folder, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(300))
            ImageFile.Read(path);
    }

    [Fact]
    public void AFileLargerThanAnImageMayBeIsNotRead()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("huge.jpg");
        using (var stream = File.Create(path)) stream.SetLength(ImageFile.MaxFileBytes + 1); // sparse: no disk used
        var error = Assert.Throws<MarginFaceException>(() => ImageFile.Read(path));
        Assert.Equal($"{path}: file is 320 MiB, more than the 320 MiB an image may have", error.Message);
    }
}
