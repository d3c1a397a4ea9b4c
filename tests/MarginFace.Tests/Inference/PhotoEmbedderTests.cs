using MarginFace.Faces;
using MarginFace.Imaging;
using MarginFace.Inference;
using MarginFace.Models;
using MarginFace.Tests.Data;

namespace MarginFace.Tests.Inference;

public class PhotoEmbedderTests
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

        new PhotoEmbedder(model).EmbedAll(paths, (path, result, error) => reports.Add((path, result?.Embedding, error)));

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
