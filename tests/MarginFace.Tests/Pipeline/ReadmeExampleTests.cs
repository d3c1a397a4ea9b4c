using MarginFace.FaceModels;
using MarginFace.Galleries;
using MarginFace.Pipeline;
using MarginFace.Tests.Interop;

namespace MarginFace.Tests.Pipeline;

/// <summary>The README's C# example, word for word but for the paths, runs.</summary>
[Trait("Category", "Integration")]
public class ReadmeExampleTests
{
    [FaceApiFact(needsLfw: true)]
    public void TheReadmePipelineExampleEnrolsAndFindsThePerson()
    {
        using var work = new TempDirectory();
        var photo = SharedData.Data("lfw", "lfw-deepfunneled", "Aaron_Eckhart", "Aaron_Eckhart_0001.jpg")!;
        var people = work.Combine("people.db");
        var readme = File.ReadAllText(RepositoryFolder.Combine("README.md"));
        Assert.Contains("using var model = FaceModelLoader.Open(\"pretrained\");", readme);
        Assert.Contains("using var detector = new FaceDetector();", readme);

        using var model = FaceModelLoader.Open("pretrained");
        using var detector = new FaceDetector();
        var pipeline = new FacePipeline(model, detector);
        var (embedding, problem, _) = pipeline.Embed(photo);
        if (embedding is null) throw new InvalidOperationException(problem);

        using var gallery = FaceGallery.Open(people, create: true);
        gallery.Enrol("Ada", [new GalleryEntry(GalleryEntry.HashFile(photo), embedding)], model.Info.ModelId);
        var matches = gallery.Search(embedding, top: 5);

        Assert.Equal("Ada", Assert.Single(matches).Name);
        Assert.Equal(1.0, matches[0].Similarity, 4);
    }
}
