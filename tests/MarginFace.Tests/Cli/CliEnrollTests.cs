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

    /// <summary>The same stand-in under another model id, as another model would be.</summary>
    private sealed class OtherEmbedder : IFaceEmbedder
    {
        private readonly BlockEmbedder inner = new();

        public string ModelId => "other-model";

        public AlignmentTemplate Template => inner.Template;

        public float[] Embed(RgbImage face) => inner.Embed(face);

        public void Dispose() { }
    }

    private static int Run(params string[] args) => Run(_ => new BlockEmbedder(), args);

    /// <summary>Runs enroll or identify in-process with <paramref name="open"/> as the model opener (it sees the request the command made).</summary>
    private static int Run(Func<FaceModelRequest, IFaceEmbedder> open, params string[] args)
    {
        var root = new RootCommand { EnrollCommand.Create(open), IdentifyCommand.Create(open) };
        return root.Parse([.. args, "--detector", TestImages.YuNetPath, "--onnx-threads", "1"]).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    /// <summary>Colin at 0.8 scale on the left, Serena at 1.6 on the right (the larger face) of one 640×400 photo.</summary>
    private static string GroupPhoto(TempDirectory dir)
    {
        var path = dir.Combine("group.png");
        FaceImageFile.SavePng(TestImages.Canvas(640, 400, 150,
            (TestImages.LfwPath("Colin_Powell", 1), 0.8f, 40, 100), (TestImages.LfwPath("Serena_Williams", 1), 1.6f, 340, 80)), path);
        return path;
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1, TestImages.SerenaWilliams1)]
    public void APhotoWithSeveralFacesIsEnrolledOnlyWhenFaceSaysWhichOne()
    {
        using var dir = new TempDirectory();
        var db = dir.Combine("g.db");
        var group = GroupPhoto(dir);
        Assert.Equal(1, Run("enroll", group, "--gallery", db, "--name", "Someone"));
        Assert.False(File.Exists(db));
        // A box in the empty middle of the photo overlaps no face.
        Assert.Equal(1, Run("enroll", group, "--gallery", db, "--name", "Someone", "--face", "300,10,30,30"));
        Assert.False(File.Exists(db));
        Assert.Throws<MarginFaceException>(() => Run("enroll", group, "--gallery", db, "--name", "Someone", "--face", "1,2,3"));

        Assert.Equal(0, Run("enroll", group, "--gallery", db, "--name", "Serena", "--face", "largest"));
        Assert.Equal(0, Run("enroll", group, "--gallery", db, "--name", "Colin", "--face", "55,110,80,105"));
        Assert.Equal(0, Run("enroll", TestImages.LfwPath("Serena_Williams", 1), "--gallery", db, "--name", "Serena"));
        using var gallery = FaceGallery.Open(db);
        Assert.Equal([new GalleryPerson("Colin", 1), new GalleryPerson("Serena", 2)], gallery.List());

        using var detector = new FaceDetector(TestImages.YuNetPath, new FaceDetectorOptions { Threads = 1 });
        var colin = new FaceEnrolment(detector, new BlockEmbedder()).Prepare(TestImages.LfwPath("Colin_Powell", 1)).Entry!;
        Assert.Equal("Colin", gallery.Search(colin.Embedding, top: 1)[0].Name);
        var outcome = new FaceEnrolment(detector, new BlockEmbedder()).Prepare(group);
        Assert.True(outcome.SeveralFaces);
        Assert.Equal(2, outcome.Faces);
        Assert.Equal($"{group}: 2 faces, and which one to use is not said", outcome.Error);
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.SerenaWilliams1)]
    public void AGalleryRemembersItsModelSoIdentifyAndEnrolNeedNoModelOption()
    {
        using var dir = new TempDirectory();
        var serena = TestImages.LfwPath("Serena_Williams", 1);
        var model = dir.Combine("face.model");
        File.WriteAllBytes(model, [1]);
        var requests = new List<FaceModelRequest>();
        IFaceEmbedder Open(FaceModelRequest request)
        {
            requests.Add(request);
            return new BlockEmbedder();
        }

        // Without --model a new gallery is enrolled with the pretrained model, and remembers it.
        var fresh = dir.Combine("fresh.db");
        Assert.Equal(0, Run(Open, "enroll", serena, "--gallery", fresh, "--name", "Serena"));
        Assert.Equal(0, Run(Open, "identify", serena, "--gallery", fresh));
        Assert.Equal(["pretrained", "pretrained"], requests.Select(r => r.Path));
        using (var gallery = FaceGallery.Open(fresh))
            Assert.Equal(new FaceModelReference("pretrained"), gallery.ModelReference);

        // A gallery enrolled with a file (and an ONNX convention) opens that file by its full path, from any folder.
        requests.Clear();
        var db = dir.Combine("g.db");
        Assert.Equal(0, Run(Open, "enroll", serena, "--gallery", db, "--name", "Serena", "--model", model, "--onnx-preprocessing", "arcface"));
        Assert.Equal(0, Run(Open, "enroll", serena, "--gallery", db, "--name", "Serena"));
        Assert.Equal(0, Run(Open, "identify", serena, "--gallery", db));
        Assert.All(requests, r => Assert.Equal((Path.GetFullPath(model), OnnxModelConvention.ArcFace), (r.Path, r.Convention)));

        // --model still has to be the gallery's model.
        var error = Assert.Throws<MarginFaceException>(() => Run(_ => new OtherEmbedder(), "identify", serena, "--gallery", db, "--model", "pretrained"));
        Assert.Equal($"{db}: gallery holds embeddings of model 'block-means-8', not 'other-model'", error.Message);

        // The remembered file gone: one line asking for --model.
        File.Delete(model);
        error = Assert.Throws<MarginFaceException>(() => Run(Open, "identify", serena, "--gallery", db));
        Assert.Equal($"{db}: the gallery's model {Path.GetFullPath(model)} no longer exists; pass --model with that model (or a copy of it: model id block-means-8)", error.Message);
        Assert.Equal(0, Run(Open, "identify", serena, "--gallery", db, "--model", "pretrained"));
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.SerenaWilliams1)]
    public void AGalleryFromBeforeGalleriesRememberedTheirModelFallsBackToPretrainedOnlyWhenItsModelIdMatches()
    {
        using var dir = new TempDirectory();
        var serena = TestImages.LfwPath("Serena_Williams", 1);
        var db = dir.Combine("old.db");
        using (var detector = new FaceDetector(TestImages.YuNetPath, new FaceDetectorOptions { Threads = 1 }))
        using (var gallery = FaceGallery.Open(db, create: true))
            gallery.Enrol("Serena", [new FaceEnrolment(detector, new BlockEmbedder()).Prepare(serena).Entry!], "block-means-8");
        var requests = new List<FaceModelRequest>();
        Assert.Equal(0, Run(r => { requests.Add(r); return new BlockEmbedder(); }, "identify", serena, "--gallery", db));
        Assert.Equal("pretrained", Assert.Single(requests).Path);
        var error = Assert.Throws<MarginFaceException>(() => Run(_ => new OtherEmbedder(), "identify", serena, "--gallery", db));
        Assert.Equal($"{db}: the gallery does not say which model made it (model id 'block-means-8', not the pretrained model's); pass --model with that model", error.Message);
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
        Assert.Equal(0, Run("identify", serena, "--gallery", db, "--model", "m", "--ef", "16"));
        Assert.Equal("--ef must be at least 1, got 0", Assert.Throws<MarginFaceException>(() => Run("identify", serena, "--gallery", db, "--model", "m", "--ef", "0")).Message);
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
