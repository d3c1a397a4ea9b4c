using System.CommandLine;
using MarginFace.Cli.Commands;
using MarginFace.FaceModels;
using MarginFace.Galleries;
using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Tests.Cli;

/// <summary><c>enroll</c> and <c>identify</c> run in-process with a stand-in embedder (the face model is wired by the lead).</summary>
[Trait("Category", "Integration")]
public class CliEnrollTests
{
    /// <summary>A deterministic stand-in for a face model: the aligned crop's grey levels averaged over 8×8 blocks, mean removed.</summary>
    private sealed class BlockEmbedder : IFaceEmbedder
    {
        public string ModelId => "block-means-8";

        public AlignmentTemplate Template => AlignmentTemplate.ArcFace112;

        public float[] Embed(RgbImage face)
        {
            var grey = face.ToGrey();
            var blocks = new float[(grey.Width / 8) * (grey.Height / 8)];
            for (int y = 0; y < grey.Height / 8 * 8; y++)
                for (int x = 0; x < grey.Width / 8 * 8; x++)
                    blocks[y / 8 * (grey.Width / 8) + x / 8] += grey[x, y, 0];
            var mean = blocks.Average();
            return [.. blocks.Select(v => v - mean)];
        }

        public void Dispose() { }
    }

    private static int Run(params string[] args)
    {
        var root = new RootCommand { EnrollCommand.Create(_ => new BlockEmbedder()), IdentifyCommand.Create(_ => new BlockEmbedder()) };
        return root.Parse([.. args, "--detector", TestImages.YuNetPath, "--onnx-threads", "1"]).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1, TestImages.ColinPowell2, TestImages.SerenaWilliams1)]
    public void EnrolmentIsIdempotentAndAnEnrolledPhotoIdentifiesItsPersonWithSimilarityOne()
    {
        using var dir = new TempDirectory();
        var db = dir.Combine("g.db");
        string colin1 = TestImages.LfwPath("Colin_Powell", 1), colin2 = TestImages.LfwPath("Colin_Powell", 2), serena = TestImages.LfwPath("Serena_Williams", 1);
        Assert.Equal(0, Run("enroll", colin1, colin2, "--gallery", db, "--name", "Colin", "--model", "m"));
        Assert.Equal(0, Run("enroll", serena, "--gallery", db, "--name", "Serena", "--model", "m"));
        Assert.Equal(0, Run("enroll", colin1, colin2, "--gallery", db, "--name", "Colin", "--model", "m"));
        using var gallery = FaceGallery.Open(db);
        Assert.Equal([new GalleryPerson("Colin", 2), new GalleryPerson("Serena", 1)], gallery.List());
        Assert.Equal("block-means-8", gallery.ModelId);
        Assert.Equal(0, Run("identify", serena, "--gallery", db, "--model", "m"));

        // The same embedding the CLI computed, searched through the library: the enrolled photo is its own best match.
        using var detector = new FaceDetector(TestImages.YuNetPath, new FaceDetectorOptions { Threads = 1 });
        var entry = new FaceEnrolment(detector, new BlockEmbedder()).Prepare(serena).Entry!;
        var best = gallery.Search(entry.Embedding, top: 2)[0];
        Assert.Equal("Serena", best.Name);
        Assert.Equal(1f, best.Similarity, 4);
        Assert.Equal(3, Run("identify", serena, "--gallery", db, "--model", "m", "--threshold", "1.01"));
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1)]
    public void AnImageWithoutAFaceOrUnreadableEnrolsNothing()
    {
        using var dir = new TempDirectory();
        var db = dir.Combine("g.db");
        var blank = dir.Combine("blank.png");
        FaceImageFile.SavePng(TestImages.Blank(200, 200), blank);
        var text = dir.Combine("text.jpg");
        File.WriteAllText(text, "not an image");
        Assert.Equal(2, Run("enroll", TestImages.LfwPath("Colin_Powell", 1), blank, "--gallery", db, "--name", "Colin", "--model", "m"));
        Assert.Equal(1, Run("enroll", TestImages.LfwPath("Colin_Powell", 1), text, "--gallery", db, "--name", "Colin", "--model", "m"));
        Assert.False(File.Exists(db));
    }
}
