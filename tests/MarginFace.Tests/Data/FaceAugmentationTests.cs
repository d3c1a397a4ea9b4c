using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Models;

namespace MarginFace.Tests.Data;

public class FaceAugmentationTests
{
    private static readonly FacePreprocessing Input128 = new(FaceCrop.Center(150), 128, 128, true, PixelNormalization.Centered128);

    [Fact]
    public void DrawIsAPureFunctionOfSeedEpochStepAndIndex()
    {
        var augmentation = new FaceAugmentation(Flip: true, ResizeTo: 144, Brightness: 0.2, Contrast: 0.2);
        Assert.Equal(augmentation.Draw(Input128, 7, 3, 11, 5), augmentation.Draw(Input128, 7, 3, 11, 5));
        var draws = new[]
        {
            augmentation.Draw(Input128, 7, 3, 11, 5), augmentation.Draw(Input128, 8, 3, 11, 5), augmentation.Draw(Input128, 7, 4, 11, 5),
            augmentation.Draw(Input128, 7, 3, 12, 5), augmentation.Draw(Input128, 7, 3, 11, 6),
        };
        Assert.Equal(draws.Length, draws.Distinct().Count());
    }

    [Fact]
    public void SeedsRecipeFlipsAboutHalfAndCropsEveryOffsetOf144To128()
    {
        var draws = Enumerable.Range(0, 4000).Select(i => FaceAugmentation.Seeds.Draw(Input128, 1, 1, i / 64, i % 64)).ToList();
        Assert.InRange(draws.Count(d => d.Flip), 1800, 2200);
        Assert.All(draws, d => Assert.Equal((144, 144, 1f, 1f), (d.ResizeWidth, d.ResizeHeight, d.Brightness, d.Contrast)));
        Assert.Equal(Enumerable.Range(0, 17), draws.Select(d => d.OffsetX).Distinct().Order());
        Assert.Equal(Enumerable.Range(0, 17), draws.Select(d => d.OffsetY).Distinct().Order());
    }

    [Fact]
    public void JitterStaysInItsRangeAndPartsTurnOffIndependently()
    {
        var jitter = new FaceAugmentation(Flip: false, Brightness: 0.1, Contrast: 0.25);
        var draws = Enumerable.Range(0, 500).Select(i => jitter.Draw(Input128, 2, 1, 0, i)).ToList();
        Assert.All(draws, d =>
        {
            Assert.False(d.Flip);
            Assert.Equal((128, 128, 0, 0), (d.ResizeWidth, d.ResizeHeight, d.OffsetX, d.OffsetY));
            Assert.InRange(d.Brightness, 0.9f, 1.1f);
            Assert.InRange(d.Contrast, 0.75f, 1.25f);
        });
        Assert.True(draws.Max(d => d.Brightness) > 1.09f && draws.Min(d => d.Brightness) < 0.91f);
        // Turning the flip off leaves the crop offsets of the same (seed, epoch, step, index) unchanged.
        var withFlip = FaceAugmentation.Seeds.Draw(Input128, 5, 2, 3, 4);
        var without = (FaceAugmentation.Seeds with { Flip = false }).Draw(Input128, 5, 2, 3, 4);
        Assert.Equal((withFlip.OffsetX, withFlip.OffsetY), (without.OffsetX, without.OffsetY));
        Assert.Equal(AugmentationDraw.None(128, 128), new FaceAugmentation(Flip: false).Draw(Input128, 5, 2, 3, 4));
    }

    [Fact]
    public void ErasingBlanksARectangleOfTwoToFortyPercentWithItsProbabilityAndChangesNoOtherDraw()
    {
        var plain = new FaceAugmentation(Flip: true, ResizeTo: 144, Brightness: 0.2, Contrast: 0.2);
        var erasing = plain with { Erase = 0.5 };
        var draws = Enumerable.Range(0, 4000).Select(i => (Plain: plain.Draw(Input128, 3, 2, i / 64, i % 64), Erased: erasing.Draw(Input128, 3, 2, i / 64, i % 64))).ToList();
        Assert.All(draws, d => Assert.Equal(d.Plain, d.Erased with { EraseX = 0, EraseY = 0, EraseWidth = 0, EraseHeight = 0 }));
        Assert.All(draws, d => Assert.Equal((0, 0), (d.Plain.EraseWidth, d.Plain.EraseHeight)));
        var erased = draws.Select(d => d.Erased).Where(d => d.EraseWidth > 0).ToList();
        Assert.InRange(erased.Count, 1800, 2200);
        Assert.All(erased, d =>
        {
            Assert.InRange(d.EraseHeight, 1, 128);
            Assert.InRange(d.EraseX, 0, 128 - d.EraseWidth);
            Assert.InRange(d.EraseY, 0, 128 - d.EraseHeight);
            // Area s·128² with s in [0.02, 0.4], up to rounding of each side and clamping a side to 128.
            Assert.InRange(d.EraseWidth * d.EraseHeight, 0.02 * 128 * 128 - 2 * 128, 0.4 * 128 * 128 + 2 * 128);
        });
        var aspects = erased.Select(d => (double)d.EraseHeight / d.EraseWidth).ToList();
        Assert.True(aspects.Min() < 0.4 && aspects.Max() > 2.5, $"aspect ratios {aspects.Min()}..{aspects.Max()}");
        var always = new FaceAugmentation(Erase: 1);
        Assert.All(Enumerable.Range(0, 100).Select(i => always.Draw(Input128, 1, 1, 1, i)), d => Assert.True(d.EraseWidth > 0));
    }

    [Fact]
    public void ErasingProbabilityOutsideZeroToOneIsRejected()
    {
        var e = Assert.Throws<MarginFaceException>(() => new FaceAugmentation(Erase: 1.5).Validate(Input128));
        Assert.Equal("random erasing probability 1.5 is outside [0, 1]", e.Message);
    }

    [Fact]
    public void ResizeSmallerThanTheInputIsRejected()
    {
        var e = Assert.Throws<MarginFaceException>(() => new FaceAugmentation(ResizeTo: 112).Validate(Input128));
        Assert.Equal("random crop: resize size 112 is smaller than the input height 128", e.Message);
    }
}
