using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Imaging;
using MarginFace.Models;

namespace MarginFace.Tests.FaceModels;

public class FacePreprocessingTests
{
    private static RgbImage Pattern(int width, int height) =>
        new(width, height, 3, Enumerable.Range(0, width * height * 3).Select(i => (byte)(i * 7 % 256)).ToArray());

    private static FacePreprocessing Plain(int width, int height, bool grey = false, FaceCrop? crop = null) =>
        new(crop ?? FaceCrop.None, width, height, grey, PixelNormalization.Centered128);

    [Fact]
    public void OutputIsChwNormalisedAsMinus127Point5OverScale()
    {
        var image = Pattern(3, 2);
        var chw = Plain(3, 2).ToChw(image);
        Assert.Equal(18, chw.Length);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 3; x++)
                    Assert.Equal((image[x, y, c] - 127.5f) / 128f, chw[(c * 2 + y) * 3 + x]);
        var arcface = new FacePreprocessing(FaceCrop.None, 2, 1, false, PixelNormalization.Symmetric)
            .ToChw(new RgbImage(2, 1, 3, [0, 255, 0, 255, 0, 255]));
        Assert.Equal(new float[] { -1, 1, 1, -1, -1, 1 }, arcface);
    }

    [Fact]
    public void CentreCropTakesTheMiddleSquareBeforeResizing()
    {
        var image = Pattern(10, 8);
        var chw = Plain(4, 4, crop: FaceCrop.Center(4)).ToChw(image);
        // Top-left of the crop is ((10 − 4) / 2, (8 − 4) / 2) = (3, 2).
        Assert.Equal((image[3, 2, 0] - 127.5f) / 128f, chw[0]);
        Assert.Equal((image[6, 5, 2] - 127.5f) / 128f, chw[2 * 16 + 3 * 4 + 3]);
        var halved = Plain(2, 2, crop: FaceCrop.Center(4)).ToChw(image);
        var expected = Plain(2, 2).ToChw(AffineWarp.Resize(AffineWarp.Crop(image, 3, 2, 4, 4), 2, 2));
        Assert.Equal(expected, halved);
    }

    [Fact]
    public void GreyIsOneChannelOfBt601Luma()
    {
        var image = new RgbImage(2, 1, 3, [255, 0, 0, 10, 200, 30]);
        var chw = Plain(2, 1, grey: true).ToChw(image);
        Assert.Equal(new[] { (76 - 127.5f) / 128f, (124 - 127.5f) / 128f }, chw); // 0.299·255 = 76.2; 2.99 + 117.4 + 3.42 = 123.8
        var grey = new RgbImage(2, 1, 1, [0, 255]);
        Assert.Equal(6, Plain(2, 1).ToChw(grey).Length); // grey files become RGB for colour input
    }

    [Fact]
    public void AFaceSmallerThanTheCentreCropIsAnError()
    {
        var e = Assert.Throws<MarginFaceException>(() => Plain(4, 4, crop: FaceCrop.Center(150)).ToChw(Pattern(92, 112)));
        Assert.Equal("image is 92×112, smaller than the center:150 crop", e.Message);
    }

    [Fact]
    public void AWrongDestinationIsRejectedBeforeTheImageIsCropped()
    {
        // The image is too small for the crop: checking the destination first reports the caller's buffer, not the photo.
        var e = Assert.Throws<ArgumentException>(() => Plain(4, 4, crop: FaceCrop.Center(150)).Write(Pattern(92, 112), new float[47]));
        Assert.StartsWith("destination holds 47 floats, the input needs 48.", e.Message);
    }

    [Fact]
    public void FlipMirrorsTheColumns()
    {
        var image = Pattern(5, 3);
        var p = Plain(5, 3);
        var plain = p.ToChw(image);
        var flipped = new float[p.Length];
        p.Write(image, flipped, AugmentationDraw.None(5, 3) with { Flip = true });
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 5; x++)
                    Assert.Equal(plain[(c * 3 + y) * 5 + x], flipped[(c * 3 + y) * 5 + 4 - x]);
    }

    [Fact]
    public void RandomCropWindowIsTheResizedImageCutAtTheOffset()
    {
        var image = Pattern(10, 10);
        var p = Plain(6, 6);
        var window = new float[p.Length];
        // Resize to the image's own size (no scaling): the window is an exact crop at (3, 2).
        p.Write(image, window, new AugmentationDraw(false, 10, 10, 3, 2, 1, 1));
        Assert.Equal(p.ToChw(AffineWarp.Crop(image, 3, 2, 6, 6)), window);
        // Resize 10 → 12, cut at (1, 4): the same as resizing, then cropping.
        p.Write(image, window, new AugmentationDraw(false, 12, 12, 1, 4, 1, 1));
        Assert.Equal(p.ToChw(AffineWarp.Crop(AffineWarp.Resize(image, 12, 12), 1, 4, 6, 6)), window);
        p.Write(image, window, new AugmentationDraw(true, 12, 12, 1, 4, 1, 1));
        var mirrored = AffineWarp.WarpInverse(AffineWarp.Crop(AffineWarp.Resize(image, 12, 12), 1, 4, 6, 6), [-1, 0, 5, 0, 1, 0], 6, 6);
        Assert.Equal(p.ToChw(mirrored), window);
        Assert.Throws<ArgumentException>(() => p.Write(image, window, new AugmentationDraw(false, 12, 12, 7, 0, 1, 1)));
    }

    [Fact]
    public void BrightnessScalesAndContrastStretchesAroundTheMeanClampedTo255()
    {
        var image = new RgbImage(2, 1, 1, [100, 200]);
        var p = Plain(2, 1, grey: true) with { Normalization = PixelNormalization.Symmetric };
        var values = new float[2];
        WriteRaw(p, image, values, AugmentationDraw.None(2, 1) with { Brightness = 1.1f });
        Assert.Equal(110f, values[0], 3);
        Assert.Equal(220f, values[1], 3);
        WriteRaw(p, image, values, AugmentationDraw.None(2, 1) with { Contrast = 0.5f });
        Assert.Equal(125f, values[0], 3); // mean 150: 150 + 0.5·(100 − 150)
        Assert.Equal(175f, values[1], 3);
        WriteRaw(p, image, values, AugmentationDraw.None(2, 1) with { Brightness = 1.2f, Contrast = 1.5f });
        Assert.Equal(90f, values[0], 3); // mean 180: 180 + 1.5·(120 − 180)
        Assert.Equal(255f, values[1]); // 180 + 1.5·(240 − 180) = 270, clamped
    }

    [Fact]
    public void ErasingSetsExactlyTheRectangleToTheMeanInEveryChannel()
    {
        var image = Pattern(6, 5);
        var p = Plain(6, 5);
        var untouched = p.ToChw(image);
        var values = new float[p.Length];
        p.Write(image, values, AugmentationDraw.None(6, 5) with { EraseX = 1, EraseY = 2, EraseWidth = 3, EraseHeight = 2 });
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 5; y++)
                for (int x = 0; x < 6; x++)
                {
                    int i = (c * 5 + y) * 6 + x;
                    bool inside = x is >= 1 and < 4 && y is >= 2 and < 4;
                    Assert.Equal(inside ? 0f : untouched[i], values[i]);
                }
        Assert.Throws<ArgumentException>(() => p.Write(image, values, AugmentationDraw.None(6, 5) with { EraseX = 4, EraseWidth = 3, EraseHeight = 1 }));
    }

    /// <summary>Writes with (x − 127.5)/127.5 and maps the values back to 0..255 samples.</summary>
    private static void WriteRaw(FacePreprocessing p, RgbImage image, float[] values, AugmentationDraw draw)
    {
        p.Write(image, values, draw);
        for (int i = 0; i < values.Length; i++) values[i] = values[i] * 127.5f + 127.5f;
    }


    [Theory]
    [InlineData("none", "none")]
    [InlineData("center:150", "center:150")]
    [InlineData(" CENTER:96 ", "center:96")]
    public void CropOptionParsesAndPrintsBack(string text, string printed) => Assert.Equal(printed, FaceCrop.Parse(text).ToString());

    [Theory]
    [InlineData("center:")]
    [InlineData("center:0")]
    [InlineData("center:-5")]
    [InlineData("centre:150")]
    [InlineData("landmark")]
    public void BadCropOptionIsAOneLineErrorQuotingIt(string text)
    {
        var e = Assert.Throws<MarginFaceException>(() => FaceCrop.Parse(text));
        Assert.StartsWith($"crop '{text}': ", e.Message);
    }
}
