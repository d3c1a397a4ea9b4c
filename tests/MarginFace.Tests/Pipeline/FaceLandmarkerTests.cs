using System.Numerics;
using MarginFace.Imaging;
using MarginFace.Pipeline;
using MarginFace.Tests.Interop;

namespace MarginFace.Tests.Pipeline;

public class FaceLandmarkerTests
{
    [Fact]
    public void FivePointsAreEyeMeansNoseTipAndMouthCornersImageLeftFirst()
    {
        var points = Enumerable.Range(0, 68).Select(i => new Vector2(i, 2 * i)).ToList();
        var five = FaceLandmarker.FivePoints(points);
        Assert.Equal([new(38.5f, 77), new(44.5f, 89), new(30, 60), new(48, 96), new(54, 108)], five);
        Assert.Throws<ArgumentException>(() => FaceLandmarker.FivePoints(points.Take(5).ToList()));
    }

    [Trait("Category", "Integration")]
    [FaceApiFact(needsLfw: true)]
    public void OnAnLfwFaceThePointsLieInTheBoxInFaceOrder()
    {
        var image = FaceApiAnalysisCases.Image("real");
        var (_, x, y, width, height) = FaceApiAnalysisCases.Real;
        foreach (var tiny in new[] { false, true })
        {
            using var landmarker = new FaceLandmarker(tiny, threads: 2, cacheRoot: FaceApiTestModel.CacheRoot);
            var points = landmarker.Locate(image, new DetectedFace(x, y, width, height, 1, []));
            Assert.Equal(68, points.Count);
            Assert.All(points, p => Assert.InRange(p.X, x - 5, x + width + 5));
            Assert.All(points, p => Assert.InRange(p.Y, y - 5, y + height + 5));
            var five = FaceLandmarker.FivePoints(points);
            Assert.True(five[0].X < five[1].X && five[3].X < five[4].X, "image-left eye and mouth corner first");
            Assert.True(five[0].Y < five[2].Y && five[2].Y < five[3].Y, "eyes above the nose tip above the mouth");
        }
    }

    [Trait("Category", "Integration")]
    [FaceApiFact(needsLfw: true)]
    public void ABatchOfFacesGivesWhatEachGivesAlone()
    {
        var image = FaceApiAnalysisCases.Image("real");
        var (_, x, y, width, height) = FaceApiAnalysisCases.Real;
        using var landmarker = new FaceLandmarker(threads: 2, cacheRoot: FaceApiTestModel.CacheRoot);
        DetectedFace[] faces = [new(x, y, width, height, 1, []), new(x - 20, y + 10, width * 1.3f, height * 0.9f, 1, [])];
        var batch = landmarker.Locate(image, faces);
        Assert.Equal(2, batch.Count);
        for (var i = 0; i < faces.Length; i++)
        {
            var alone = landmarker.Locate(image, faces[i]);
            Assert.All(alone.Zip(batch[i]), p => Assert.True(Vector2.Distance(p.First, p.Second) < 1e-3f));
        }
        Assert.Empty(landmarker.Locate(image, Array.Empty<DetectedFace>()));
    }

    [Trait("Category", "Integration")]
    [FaceApiFact]
    public void ABoxOutsideTheImageIsAOneLineError()
    {
        using var landmarker = new FaceLandmarker(tiny: true, threads: 1, cacheRoot: FaceApiTestModel.CacheRoot);
        var image = new RgbImage(64, 48, 3, new byte[64 * 48 * 3]);
        var error = Assert.Throws<MarginFaceException>(() => landmarker.Locate(image, -100, 0, 50, 50));
        Assert.DoesNotContain('\n', error.Message);
    }
}
