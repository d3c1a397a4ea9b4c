using TorchSharp;
using MarginFace.FaceModels;
using MarginFace.Models;
using MarginFace.Training;

namespace MarginFace.Tests.Training;

[Collection(SequentialTorchCollection.Name)]
public class FaceTrainingInitTests : TorchTest
{
    private static string Save(TempDirectory work, string name, string backbone, int? embedding, int seed)
    {
        torch.manual_seed(seed);
        using var created = BackboneFactory.Create(backbone, embedding);
        var s = created.Spec;
        var path = work.Combine(name);
        FaceModelFile.Save(path, created.Module, new FaceModelInfo
        {
            Backbone = s.Name, EmbeddingSize = s.EmbeddingSize, InputWidth = s.InputWidth, InputHeight = s.InputHeight,
            Channels = s.Channels, Normalization = s.Normalization,
        });
        return path;
    }

    [Fact]
    public void InitCopiesEveryWeightAndBufferOfTheModelIntoTheBackbone()
    {
        using var work = new TempDirectory();
        var path = Save(work, "start.model", "mobilefacenet", null, seed: 3);
        torch.manual_seed(4);
        using var backbone = BackboneFactory.Create("mobilefacenet");
        using var model = FaceModelFile.Load(path);
        var expected = model.Module.state_dict();
        Assert.Contains(backbone.Module.state_dict(), p => !p.Value.equal(expected[p.Key]).all().item<bool>());

        FaceTraining.StartFrom(backbone, path);

        var actual = backbone.Module.state_dict();
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.All(expected, p => Assert.True(p.Value.equal(actual[p.Key]).all().item<bool>(), p.Key));
    }

    [Fact]
    public void AModelOfAnotherBackboneOrEmbeddingIsAOneLineErrorBeforeAnyDataIsRead()
    {
        using var work = new TempDirectory();
        var otherBackbone = Save(work, "lenet.model", "lenetpp", 2, seed: 1);
        var otherEmbedding = Save(work, "clsnet3.model", "clsnet", 3, seed: 1);
        var missingData = work.Combine("no-such-folder");
        FaceTrainingOptions Options(string init) => new() { Data = missingData, Backbone = "clsnet", Embedding = 2, Loss = "arcface", Init = init };

        var error = Assert.Throws<MarginFaceException>(() => FaceTraining.Run(Options(otherBackbone), work.Combine("run"), torch.CPU)).Message;
        Assert.Equal($"FaceTrainingOptions.Init = {otherBackbone}: the model has backbone lenetpp, not clsnet", error);
        error = Assert.Throws<MarginFaceException>(() => FaceTraining.Run(Options(otherEmbedding), work.Combine("run"), torch.CPU)).Message;
        Assert.Equal($"FaceTrainingOptions.Init = {otherEmbedding}: the model has a 3-D embedding, not 2-D", error);
        Assert.False(Directory.Exists(work.Combine("run")));
    }
}
