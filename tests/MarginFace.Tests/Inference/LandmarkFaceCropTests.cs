using MarginFace.Faces;
using MarginFace.Imaging;
using MarginFace.Inference;
using MarginFace.Models;

namespace MarginFace.Tests.Inference;

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

    [SharedDataFact(TestImages.YuNetModel)]
    public void ALandmarkCropIsTheLargestFaceAlignedAsTheAlignerDoesAndAnImageWithoutAFaceIsAnError()
    {
        var crop = new LandmarkFaceCrop(AlignmentTemplate.ArcFace128, TestImages.YuNetPath);
        if (SharedData.Has(TestImages.Lfw))
        {
            var image = ImageFile.Read(TestImages.LfwPath("Colin_Powell", 1));
            using var detector = new FaceDetector(TestImages.YuNetPath);
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
}
