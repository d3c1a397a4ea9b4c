using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Tests.Pipeline;

[Trait("Category", "Integration")]
public class FaceDetectorTests
{
    private static readonly Lazy<FaceDetector> Shared = new(() => new FaceDetector(TestImages.YuNetPath, new FaceDetectorOptions { Threads = 1 }));

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1)]
    public void OneLfwPhotoGivesOneFaceWithItsLandmarksInsideTheBoxInFacialOrder()
    {
        var image = ImageFile.Read(TestImages.LfwPath("Colin_Powell", 1));
        var face = Assert.Single(Shared.Value.Detect(image));
        Assert.InRange(face.Score, 0.6f, 1f);
        // Deep-funneled faces sit near the centre of the 250×250 photo and are 80..160 pixels tall.
        Assert.InRange(face.X + face.Width / 2, 100, 150);
        Assert.InRange(face.Y + face.Height / 2, 95, 155);
        Assert.InRange(face.Height, 80, 170);
        foreach (var point in face.Landmarks)
        {
            Assert.InRange(point.X, face.X, face.X + face.Width);
            Assert.InRange(point.Y, face.Y, face.Y + face.Height);
        }
        var (leftEye, rightEye, nose, leftMouth, rightMouth) = (face.Landmarks[0], face.Landmarks[1], face.Landmarks[2], face.Landmarks[3], face.Landmarks[4]);
        Assert.True(leftEye.X < rightEye.X && leftMouth.X < rightMouth.X, "left landmarks come before right ones");
        Assert.True(Math.Max(leftEye.Y, rightEye.Y) < nose.Y, "eyes above the nose");
        Assert.True(nose.Y < Math.Min(leftMouth.Y, rightMouth.Y), "nose above the mouth");
        Assert.InRange(nose.X, leftEye.X, rightEye.X);
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1, TestImages.SerenaWilliams1, TestImages.AaronEckhart1)]
    public void ACanvasOfThreeFacesAtHalfSingleAndOneAndAHalfScaleIsFullyDetectedAtTheRightPlaces()
    {
        const int crop = 150;
        (string Path, float Scale, int X, int Y)[] placements =
        [
            (TestImages.LfwPath("Colin_Powell", 1), 0.5f, 60, 380),
            (TestImages.LfwPath("Serena_Williams", 1), 1f, 220, 60),
            (TestImages.LfwPath("Aaron_Eckhart", 1), 1.5f, 500, 280),
        ];
        var canvas = TestImages.Canvas(800, 600, crop, placements);
        var faces = Shared.Value.Detect(canvas);
        Assert.Equal(3, faces.Count);
        foreach (var (_, scale, x, y) in placements)
        {
            var size = crop * scale;
            var inside = faces.Where(f => f.X + f.Width / 2 > x && f.X + f.Width / 2 < x + size && f.Y + f.Height / 2 > y && f.Y + f.Height / 2 < y + size).ToList();
            var face = Assert.Single(inside);
            // The face fills roughly half to all of the pasted square.
            Assert.InRange(face.Height, 0.4f * size, 1.1f * size);
        }
    }

    [SharedDataFact(TestImages.YuNetModel)]
    public void ABlankImageHasNoFace()
    {
        Assert.Empty(Shared.Value.Detect(TestImages.Blank(640, 480)));
        Assert.Empty(Shared.Value.Detect(TestImages.Blank(37, 23, 0)));
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1)]
    public void ALargeImageIsDownscaledAndItsFaceMappedBackToItsOwnCoordinates()
    {
        // A 2000×1500 canvas with the face at 4× scale: detection runs at 1280 on the longer side, boxes come back in canvas pixels.
        var canvas = TestImages.Canvas(2000, 1500, 150, (TestImages.LfwPath("Colin_Powell", 1), 4f, 1100, 700));
        var face = Assert.Single(Shared.Value.Detect(canvas));
        Assert.InRange(face.X + face.Width / 2, 1100 + 0.35f * 600, 1100 + 0.65f * 600);
        Assert.InRange(face.Y + face.Height / 2, 700 + 0.35f * 600, 700 + 0.7f * 600);
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1)]
    public void AGreyImageIsDetectedLikeItsColourVersion()
    {
        var image = ImageFile.Read(TestImages.LfwPath("Colin_Powell", 1));
        var colour = Assert.Single(Shared.Value.Detect(image));
        var grey = Assert.Single(Shared.Value.Detect(image.ToGrey()));
        Assert.True(colour.IntersectionOverUnion(grey) > 0.8f);
    }

    [Fact]
    public void AMissingModelIsAOneLineErrorNamingTheFile()
    {
        var missing = Path.Combine(Path.GetTempPath(), "mf-no-model-" + Guid.NewGuid().ToString("N") + ".onnx");
        var error = Assert.Throws<MarginFaceException>(() => new FaceDetector(missing));
        Assert.StartsWith(missing + ": ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ACorruptModelIsAOneLineErrorNamingTheFile()
    {
        using var dir = new TempDirectory();
        var corrupt = dir.Combine("yunet.onnx");
        File.WriteAllText(corrupt, "this is not a protobuf model\n");
        var error = Assert.Throws<MarginFaceException>(() => new FaceDetector(corrupt));
        Assert.StartsWith(corrupt + ": ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    /// <summary>
    /// In a process of its own, with the variable set for that process only: setting it in the test process would reach every
    /// test running beside this one and every program they start.
    /// </summary>
    [Fact]
    public void TheModelIsFoundThroughMarginFaceModels()
    {
        using var dir = new TempDirectory();
        var expected = dir.Combine("yunet", "yunet_s_dynamic.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(expected)!);
        File.WriteAllBytes(expected, [1]);
        var photo = dir.Combine("blank.png");
        FaceImageFile.SavePng(TestImages.Blank(64, 64), photo);
        var (exitCode, _, stderr) = Cli.CliProcess.Run(["detect", photo, "--json", "--detector", "yunet"], new Dictionary<string, string> { [InferenceModels.EnvironmentVariable] = dir.Path });
        Assert.Equal(1, exitCode);
        Assert.StartsWith($"error: {expected}: ", stderr.Trim());
    }

    [Fact]
    public void PlanesAreBgrBoxAveragedAndZeroPadded()
    {
        // 4×2 RGB image averaged down to 2×1 and padded to 4×2.
        byte[] pixels =
        [
            10, 20, 30,  30, 40, 50,  0, 0, 0,  100, 100, 100,
            50, 60, 70,  70, 80, 90,  0, 0, 0,  100, 100, 100,
        ];
        var planes = YuNetDetector.ToBgrPlanes(new RgbImage(4, 2, 3, pixels), 2, 1, 4, 2);
        Assert.Equal(24, planes.Length);
        Assert.Equal([60f, 50f, 0f, 0f, 0f, 0f, 0f, 0f], planes[..8]); // B plane: mean of 30, 50, 70, 90 = 60; right cell mean of 0, 100 = 50
        Assert.Equal(40f, planes[16]); // R plane: mean of 10, 30, 50, 70
    }
}
