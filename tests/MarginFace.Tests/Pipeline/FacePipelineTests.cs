using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Imaging;
using MarginFace.Models;
using MarginFace.Pipeline;

namespace MarginFace.Tests.Pipeline;

[Trait("Category", "Integration")]
public class FacePipelineTests
{
    [Fact]
    public void EmbedAllBatchesSixtyFourImagesPerPassKeepsTheOrderAndFailsOnlyTheUnreadableFile()
    {
        using var work = new TempDirectory();
        var paths = new List<string>();
        for (int i = 0; i < 70; i++)
        {
            var path = work.Combine($"{i:D3}.pgm");
            // Image i is i + 1 pixels wide, so its (fake) embedding names it; file 10 is not an image.
            File.WriteAllBytes(path, i == 10 ? "not an image"u8.ToArray() : [.. System.Text.Encoding.ASCII.GetBytes($"P5\n{i + 1} 1\n255\n"), .. new byte[i + 1]]);
            paths.Add(path);
        }
        using var model = new WidthModel();
        var reports = new List<(string Path, float[]? Embedding, MarginFaceException? Error)>();

        new FacePipeline(model).EmbedAll(paths, (path, result, error) => reports.Add((path, result?.Embedding, error)));

        Assert.Equal([63, 6], model.Calls);
        Assert.Equal(paths, reports.Select(r => r.Path));
        for (int i = 0; i < 70; i++)
        {
            if (i == 10)
            {
                Assert.Null(reports[i].Embedding);
                Assert.StartsWith(paths[10], reports[i].Error!.Message);
            }
            else
            {
                Assert.Null(reports[i].Error);
                Assert.Equal(new float[] { i + 1 }, reports[i].Embedding);
            }
        }
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1, TestImages.GeorgeWBush1)]
    public void EmbedAllWithADetectorEmbedsTheAlignedFacesInOnePassAsEmbedDoesOneByOne()
    {
        using var work = new TempDirectory();
        var blank = work.Combine("blank.pgm");
        File.WriteAllBytes(blank, [.. System.Text.Encoding.ASCII.GetBytes("P5\n160 160\n255\n"), .. new byte[160 * 160]]);
        var broken = work.Combine("broken.jpg");
        File.WriteAllText(broken, "not an image");
        string[] paths = [TestImages.LfwPath("Colin_Powell", 1), blank, broken, TestImages.LfwPath("George_W_Bush", 1)];
        using var detector = new FaceDetector(TestImages.YuNetPath);
        using var model = new PixelSumModel();
        var embedder = new FacePipeline(model, detector);
        var reports = new List<(string Path, float[]? Embedding, string? Problem, MarginFaceException? Error)>();

        embedder.EmbedAll(paths, (path, result, error) => reports.Add((path, result?.Embedding, result?.Problem, error)));

        Assert.Equal([2], model.Calls);
        Assert.Equal(paths, reports.Select(r => r.Path));
        Assert.Equal($"{blank}: no face found", reports[1].Problem);
        Assert.Null(reports[1].Embedding);
        Assert.StartsWith(broken, reports[2].Error!.Message);
        foreach (var i in new[] { 0, 3 })
        {
            Assert.Null(reports[i].Error);
            Assert.Equal(embedder.Embed(paths[i]).Embedding, reports[i].Embedding);
        }
        Assert.Equal([2, 1, 1], model.Calls);
        Assert.NotEqual(reports[0].Embedding, reports[3].Embedding);
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1, TestImages.SerenaWilliams1)]
    public void EmbedFacesEmbedsEveryFaceOfAGroupPhotoInOnePassInTheDetectorsOrder()
    {
        var group = TestImages.Canvas(640, 400, 150,
            (TestImages.LfwPath("Colin_Powell", 1), 0.8f, 40, 100), (TestImages.LfwPath("Serena_Williams", 1), 1.6f, 340, 80));
        using var detector = new FaceDetector(TestImages.YuNetPath, new FaceDetectorOptions { Threads = 1 });
        using var model = new PixelSumModel();
        var pipeline = new FacePipeline(model, detector);

        var faces = pipeline.EmbedFaces(group);

        Assert.Equal([2], model.Calls);
        static (float, float, float, float, float) Box(DetectedFace f) => (f.X, f.Y, f.Width, f.Height, f.Score);
        Assert.Equal(detector.Detect(group).Select(Box), faces.Select(f => Box(f.Face)));
        Assert.Contains(faces, f => f.Face.X < 320);
        Assert.Contains(faces, f => f.Face.X > 320);
        foreach (var face in faces) Assert.Equal(pipeline.EmbedFaces(group, [face.Face])[0].Embedding, face.Embedding);
        Assert.NotEqual(faces[0].Embedding, faces[1].Embedding);
        // The largest face is the one Embed uses.
        var largest = faces.MaxBy(f => f.Face.Area)!;
        using var dir = new TempDirectory();
        var path = dir.Combine("group.png");
        FaceImageFile.SavePng(group, path);
        Assert.Equal(largest.Embedding, pipeline.Embed(path).Embedding);
        Assert.Equal(2, pipeline.EmbedFaces(path).Count);
        Assert.Empty(pipeline.EmbedFaces(TestImages.Blank(120, 90)));
    }

    [Fact]
    public void EmbedFacesNeedsADetector()
    {
        using var model = new PixelSumModel();
        Assert.Throws<InvalidOperationException>(() => new FacePipeline(model).EmbedFaces(TestImages.Blank(8, 8)));
    }

    /// <summary>A model whose embedding of an image is the sum of its pixels, and which records the size of every batch it is given.</summary>
    private sealed class PixelSumModel : IFaceModel
    {
        public List<int> Calls { get; } = [];

        public FaceModelInfo Info { get; } = new()
        {
            Backbone = "clsnet", EmbeddingSize = 1, InputWidth = 112, InputHeight = 112, Channels = 3, Normalization = PixelNormalization.Symmetric,
        };

        public FacePreprocessing Preprocessing { get; } = new(FaceCrop.None, 112, 112, false, PixelNormalization.Symmetric);

        public float[][] Embed(IReadOnlyList<RgbImage> images, FacePreprocessing preprocessing, bool flip = false, int batchSize = 64)
        {
            Calls.Add(images.Count);
            return images.Select(image => new float[] { image.Pixels.Sum(p => (float)p) }).ToArray();
        }

        public void Dispose()
        {
        }
    }

    /// <summary>A model whose embedding of an image is its width, and which records the size of every batch it is given.</summary>
    private sealed class WidthModel : IFaceModel
    {
        public List<int> Calls { get; } = [];

        public FaceModelInfo Info { get; } = new()
        {
            Backbone = "clsnet", EmbeddingSize = 1, InputWidth = 1, InputHeight = 1, Channels = 1, Normalization = PixelNormalization.Centered128,
        };

        public FacePreprocessing Preprocessing { get; } = new(FaceCrop.None, 1, 1, true, PixelNormalization.Centered128);

        public float[][] Embed(IReadOnlyList<RgbImage> images, FacePreprocessing preprocessing, bool flip = false, int batchSize = 64)
        {
            Calls.Add(images.Count);
            return images.Select(image => new float[] { image.Width }).ToArray();
        }

        public void Dispose()
        {
        }
    }
}
