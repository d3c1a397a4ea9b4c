using TorchSharp;
using MarginFace.FaceModels;
using MarginFace.Galleries;
using MarginFace.Pipeline;
using MarginFace.Tests.Training;
using MarginFace.Training;

namespace MarginFace.Tests.Pipeline;

/// <summary>The README's C# example, word for word but for the paths, runs.</summary>
[Collection(SequentialTorchCollection.Name)]
[Trait("Category", "Integration")]
public class ReadmeExampleTests : TorchTest
{
    [SharedDataFact("models/yunet/yunet_s_dynamic.onnx", TestImages.AaronEckhart1)]
    public void TheReadmePipelineExampleEnrolsAndFindsThePerson()
    {
        using var work = new TempDirectory();
        var faces = FaceTrainingTests.WriteIdentities(work.Combine("faces"), identities: 2, images: 4);
        var run = FaceTraining.Run(new FaceTrainingOptions { Data = faces, Backbone = "mobilefacenet", Epochs = 1, BatchSize = 4 }, work.Combine("run"), torch.CPU);
        var photo = SharedData.Data("lfw", "lfw-deepfunneled", "Aaron_Eckhart", "Aaron_Eckhart_0001.jpg")!;
        var people = work.Combine("people.db");

        using var model = FaceModelLoader.Open(run.ModelPath);
        using var detector = new FaceDetector(SharedData.Models("yunet", "yunet_s_dynamic.onnx"));
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
