using MarginFace.Pipeline;
using MarginFace.Runtime;
using MarginFace.Tests.Interop;

namespace MarginFace.Tests.Pipeline;

public class FaceAnalyzerTests
{
    [Fact]
    public void TopExpressionIsTheMostProbableAndExpressionLooksOneUpByName()
    {
        var analysis = new FaceAnalysis(30, FaceGender.Female, 0.9f, [0.1f, 0.05f, 0.6f, 0.05f, 0.1f, 0.05f, 0.05f]);
        Assert.Equal(("sad", 0.6f), analysis.TopExpression);
        Assert.Equal(0.1f, analysis.Expression("fearful"));
        Assert.Throws<ArgumentException>(() => analysis.Expression("bored"));
    }

    [Fact]
    public void WithoutNpmOrTheFilesTheAnalyzerIsOneLineSayingHowToProvideThemAndTheCacheStaysEmpty()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<MarginFaceException>(() => new FaceAnalyzer(1, new NoNpm(), dir.Path, null));
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("without npm", error.Message);
        Assert.Empty(Directory.EnumerateFiles(dir.Path, "*", SearchOption.AllDirectories));
        Assert.Throws<MarginFaceException>(() => new FaceLandmarker(false, 1, new NoNpm(), dir.Path, null));
    }

    private sealed class NoNpm : IPackageFetcher
    {
        public string Pack(string packageSpec, string destinationDirectory) => throw new MarginFaceException("npm: not found on PATH");
    }

    [Trait("Category", "Integration")]
    [FaceApiFact(needsLfw: true)]
    public void ABatchOfFacesGivesWhatEachGivesAlone()
    {
        var image = FaceApiAnalysisCases.Image("real");
        var (_, x, y, width, height) = FaceApiAnalysisCases.Real;
        using var analyzer = new FaceAnalyzer(threads: 2, cacheRoot: FaceApiTestModel.CacheRoot);
        DetectedFace[] faces = [new(x, y, width, height, 1, []), new(x + 10, y - 5, width * 0.8f, height, 1, [])];
        var batch = analyzer.Analyze(image, faces);
        Assert.Equal(2, batch.Count);
        for (var i = 0; i < faces.Length; i++)
        {
            var alone = analyzer.Analyze(image, faces[i]);
            Assert.Equal(alone.Age, batch[i].Age, 1e-3f);
            Assert.Equal(alone.Gender, batch[i].Gender);
            Assert.Equal(alone.GenderProbability, batch[i].GenderProbability, 1e-4f);
            Assert.All(alone.Expressions.Zip(batch[i].Expressions), p => Assert.Equal(p.First, p.Second, 1e-4f));
            Assert.Equal(1f, alone.Expressions.Sum(), 1e-4f);
            Assert.InRange(alone.GenderProbability, 0.5f, 1f);
        }
        Assert.Empty(analyzer.Analyze(image, []));
    }
}
