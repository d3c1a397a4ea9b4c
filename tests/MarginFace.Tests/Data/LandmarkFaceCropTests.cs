using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Imaging;
using MarginFace.Models;
using MarginFace.Pipeline;

namespace MarginFace.Tests.Data;

[Trait("Category", "Integration")]
public class LandmarkFaceCropTests
{
    [Fact]
    public void LandmarksNamesATemplateAndReadsBackAsWritten()
    {
        var crop = Assert.IsType<LandmarkFaceCrop>(FaceCrop.Parse("landmarks:150"));
        Assert.Same(AlignmentTemplate.DlibChip150, crop.Template);
        Assert.Equal("landmarks:150", crop.ToString());
        Assert.Equal("landmarks:150", FaceCrop.Parse(crop.ToString()).ToString());
        Assert.Same(AlignmentTemplate.ArcFace112, Assert.IsType<LandmarkFaceCrop>(FaceCrop.Parse("landmarks")).Template);
        Assert.StartsWith("crop 'landmarks:99': unknown template '99'", Assert.Throws<MarginFaceException>(() => FaceCrop.Parse("landmarks:99")).Message);
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1)]
    public void ALandmarkCropIsTheLargestFaceAlignedAsTheAlignerDoesAndAnImageWithoutAFaceIsAnError()
    {
        var crop = new LandmarkFaceCrop(AlignmentTemplate.ArcFace128, TestImages.YuNetPath);
        var image = ImageFile.Read(TestImages.LfwPath("Colin_Powell", 1));
        using (var detector = new FaceDetector(TestImages.YuNetPath))
        {
            var expected = new FaceAligner(AlignmentTemplate.ArcFace128).Align(image, detector.Detect(image).MaxBy(f => f.Area)!);
            var actual = crop.Apply(image);
            Assert.Equal((128, 128), (actual.Width, actual.Height));
            Assert.Equal(expected.Pixels, actual.Pixels);
        }
        var blank = new RgbImage(160, 160, 3, new byte[160 * 160 * 3]);
        Assert.Equal("no face found for the crop landmarks:128", Assert.Throws<MarginFaceException>(() => crop.Apply(blank)).Message);
        var preprocessing = new FacePreprocessing(crop, 112, 112, Grey: false, PixelNormalization.Symmetric);
        Assert.Throws<MarginFaceException>(() => preprocessing.ToChw(blank));
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1, TestImages.GeorgeWBush1)]
    public void TheDetectionCacheDetectsEachDistinctImageOnceAndCropsAsTheUncachedCrop()
    {
        var plain = new LandmarkFaceCrop(AlignmentTemplate.ArcFace112, TestImages.YuNetPath);
        var cached = plain.WithDetectionCache();
        Assert.Equal(0, plain.CachedDetections);
        Assert.Equal("landmarks:112", cached.ToString());
        var blank = new RgbImage(160, 160, 3, new byte[160 * 160 * 3]);
        for (int k = 0; k < 2; k++)
            Assert.Equal("no face found for the crop landmarks:112", Assert.Throws<MarginFaceException>(() => cached.Apply(blank)).Message);
        Assert.Equal(1, cached.CachedDetections);
        var copy = new RgbImage(160, 160, 3, new byte[160 * 160 * 3]);
        Assert.Throws<MarginFaceException>(() => cached.Apply(copy));
        Assert.Equal(1, cached.CachedDetections);
        var pixels = new byte[160 * 160 * 3];
        pixels[7] = 1;
        Assert.Throws<MarginFaceException>(() => cached.Apply(new RgbImage(160, 160, 3, pixels)));
        Assert.Equal(2, cached.CachedDetections);
        Assert.Throws<MarginFaceException>(() => cached.Apply(new RgbImage(320, 240, 1, new byte[160 * 160 * 3])));
        Assert.Equal(3, cached.CachedDetections);
        foreach (var name in new[] { "Colin_Powell", "George_W_Bush" })
        {
            var image = ImageFile.Read(TestImages.LfwPath(name, 1));
            var expected = plain.Apply(image).Pixels;
            Assert.Equal(expected, cached.Apply(image).Pixels);
            Assert.Equal(expected, cached.Apply(image).Pixels);
        }
        Assert.Equal(5, cached.CachedDetections);
        Assert.Equal(0, plain.CachedDetections);
    }
}
