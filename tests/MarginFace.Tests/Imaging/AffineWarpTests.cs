using MarginFace.Imaging;

namespace MarginFace.Tests.Imaging;

public class AffineWarpTests
{
    /// <summary>A w×h image whose channel k at (x, y) is (7x + 31y + 50k) mod 256, all distinct enough to catch any shift.</summary>
    private static RgbImage Pattern(int width, int height, int channels = 3)
    {
        var pixels = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int k = 0; k < channels; k++)
                    pixels[(y * width + x) * channels + k] = (byte)((7 * x + 31 * y + 50 * k) % 256);
        return new RgbImage(width, height, channels, pixels);
    }

    [Theory]
    [InlineData(WarpBorder.Replicate, 1)]
    [InlineData(WarpBorder.Replicate, 3)]
    [InlineData(WarpBorder.Constant, 1)]
    [InlineData(WarpBorder.Constant, 3)]
    public void AxisAlignedMapsGiveTheGeneralPathsBytes(object borderValue, int channels) // WarpBorder is internal: a public theory cannot take it
    {
        var border = (WarpBorder)borderValue;
        var random = new Random(5);
        var pixels = new byte[61 * 47 * channels];
        random.NextBytes(pixels);
        var image = new RgbImage(61, 47, channels, pixels);
        for (int trial = 0; trial < 200; trial++)
        {
            // Resizes, windows, flips and translations, some reaching past the image's edges; ±0 entries included.
            double sx = (random.NextDouble() * 2.5 + 0.2) * (random.Next(2) == 0 ? 1 : -1), sy = random.NextDouble() * 2.5 + 0.2;
            double[] map = [sx, trial % 7 == 0 ? -0.0 : 0.0, random.NextDouble() * 80 - 10, trial % 5 == 0 ? -0.0 : 0.0, sy, random.NextDouble() * 60 - 8];
            int width = random.Next(1, 40), height = random.Next(1, 40);
            var fast = AffineWarp.WarpInverse(image, map, width, height, border, axisAlignedPath: true);
            var general = AffineWarp.WarpInverse(image, map, width, height, border, axisAlignedPath: false);
            Assert.Equal(general.Pixels, fast.Pixels);
        }
    }

    [Fact]
    public void IdentityMatrixReproducesTheImageExactly()
    {
        var image = Pattern(9, 7);
        Assert.Equal(image.Pixels, AffineWarp.Warp(image, AffineWarp.Identity, 9, 7).Pixels);
        Assert.Equal(image.Pixels, AffineWarp.WarpInverse(image, AffineWarp.Identity, 9, 7, WarpBorder.Replicate).Pixels);
    }

    [Fact]
    public void IntegerTranslationShiftsExactlyAndFillsTheUncoveredBorderWithZero()
    {
        var image = Pattern(8, 6);
        var shifted = AffineWarp.Warp(image, [1, 0, 2, 0, 1, 1], 8, 6);
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 8; x++)
                for (int k = 0; k < 3; k++)
                    Assert.Equal(x >= 2 && y >= 1 ? image[x - 2, y - 1, k] : 0, shifted[x, y, k]);
    }

    [Fact]
    public void TranslationWithReplicateBorderRepeatsTheEdge()
    {
        var image = Pattern(5, 4, channels: 1);
        var shifted = AffineWarp.WarpInverse(image, [1, 0, -2, 0, 1, 0], 5, 4, WarpBorder.Replicate);
        Assert.Equal(image[0, 3, 0], shifted[0, 3, 0]);
        Assert.Equal(image[0, 3, 0], shifted[1, 3, 0]);
        Assert.Equal(image[2, 3, 0], shifted[4, 3, 0]);
    }

    [Fact]
    public void SwappingTheAxesTransposesTheImage()
    {
        var image = Pattern(5, 3);
        var transposed = AffineWarp.Warp(image, [0, 1, 0, 1, 0, 0], 3, 5);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 3; x++)
                for (int k = 0; k < 3; k++)
                    Assert.Equal(image[y, x, k], transposed[x, y, k]);
    }

    [Fact]
    public void TwoTimesUpscaleSamplesBilinearMidpointsRoundedHalfUp()
    {
        // Forward map x' = 2x: output (1, 0) lies halfway between source (0, 0) and (1, 0); (1, 1) at the centre of four.
        var image = new RgbImage(2, 2, 1, [10, 21, 30, 41]);
        var up = AffineWarp.Warp(image, [2, 0, 0, 0, 2, 0], 3, 3);
        Assert.Equal(10, up[0, 0, 0]);
        Assert.Equal(16, up[1, 0, 0]); // (10 + 21) / 2 = 15.5 → 16
        Assert.Equal(20, up[0, 1, 0]); // (10 + 30) / 2
        Assert.Equal(26, up[1, 1, 0]); // (10 + 21 + 30 + 41) / 4 = 25.5 → 26
        Assert.Equal(41, up[2, 2, 0]);
    }

    [Fact]
    public void QuarterPixelOffsetWeighsNeighboursThreeToOne()
    {
        var image = new RgbImage(2, 1, 1, [0, 200]);
        var warped = AffineWarp.WarpInverse(image, [1, 0, 0.25, 0, 1, 0], 1, 1);
        Assert.Equal(50, warped[0, 0, 0]);
    }

    [Fact]
    public void HalvingResizeIsTheMeanOfEachTwoByTwoBlock()
    {
        var image = new RgbImage(4, 4, 1,
        [
            10, 20, 100, 100,
            30, 41, 100, 104,
            0, 0, 255, 255,
            0, 4, 255, 255,
        ]);
        var half = AffineWarp.Resize(image, 2, 2);
        Assert.Equal(new byte[] { 25, 101, 1, 255 }, half.Pixels); // 25.25, 101, 1, 255
    }

    [Fact]
    public void ResizeToTheSameSizeIsExactAndColourStaysPerChannel()
    {
        var image = Pattern(6, 4);
        Assert.Equal(image.Pixels, AffineWarp.Resize(image, 6, 4).Pixels);
        var flat = new RgbImage(4, 4, 3, Enumerable.Range(0, 16).SelectMany(_ => new byte[] { 9, 120, 250 }).ToArray());
        var resized = AffineWarp.Resize(flat, 3, 5);
        Assert.All(resized.Pixels.Chunk(3), p => Assert.Equal(new byte[] { 9, 120, 250 }, p));
    }

    [Fact]
    public void CropCopiesTheRegionAndZeroFillsOutsideTheImage()
    {
        var image = Pattern(10, 8);
        var crop = AffineWarp.Crop(image, 3, 2, 4, 5);
        Assert.Equal((4, 5), (crop.Width, crop.Height));
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 4; x++)
                for (int k = 0; k < 3; k++)
                    Assert.Equal(image[x + 3, y + 2, k], crop[x, y, k]);
        var overhang = AffineWarp.Crop(image, -1, 6, 3, 3);
        Assert.Equal(0, overhang[0, 0, 1]);
        Assert.Equal(image[0, 6, 1], overhang[1, 0, 1]);
        Assert.Equal(0, overhang[1, 2, 1]);
    }

    [Fact]
    public void InvertComposesWithTheMatrixToTheIdentity()
    {
        double[] m = [0.8, -0.6, 12.5, 0.6, 0.8, -3.25];
        var inverse = AffineWarp.Invert(m);
        var (x, y) = (17.0, -4.0);
        var (u, v) = (m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]);
        Assert.Equal(x, inverse[0] * u + inverse[1] * v + inverse[2], 10);
        Assert.Equal(y, inverse[3] * u + inverse[4] * v + inverse[5], 10);
        Assert.Throws<ArgumentException>(() => AffineWarp.Invert([1, 2, 0, 2, 4, 0]));
        Assert.Throws<ArgumentException>(() => AffineWarp.Warp(Pattern(2, 2), [1, 0, 0, 0, 1], 2, 2));
    }
}
