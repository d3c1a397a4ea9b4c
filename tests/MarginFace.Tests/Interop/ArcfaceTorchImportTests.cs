using MarginFace.Benchmarks;
using MarginFace.Data;
using MarginFace.Evaluation;
using MarginFace.FaceModels;
using MarginFace.Runtime;
using MarginFace.Training;
using MarginFace.Interop.PyTorch;
using MarginFace.Models;
using MarginFace.Tests.Runtime;
using MarginFace.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MarginFace.Tests.Interop;

/// <summary>
/// Random-weight iresnet18 and mbf laid out as arcface_torch's, made and run by PyTorch (make_fixtures.py iresnet18|mbf) in
/// a temp directory, imported into MarginFace's backbones of the same names: the same input gives the same embedding.
/// </summary>
[Trait("Category", "Integration")]
public class ArcfaceTorchImportTests(ArcfaceTorchImportTests.Checkpoint checkpoint, ITestOutputHelper output) : TorchTest, IClassFixture<ArcfaceTorchImportTests.Checkpoint>
{
    /// <summary>Checkpoints and expected outputs, each made once for the class on first use, in a temp directory.</summary>
    public sealed class Checkpoint : IDisposable
    {
        private readonly TempDirectory _temp = new();
        private readonly Dictionary<string, Lazy<string>> _made;

        public Checkpoint()
        {
            _made = new[] { "iresnet18", "mbf" }.ToDictionary(name => name, name => new Lazy<string>(() =>
            {
                PythonTorch.Run(TimeSpan.FromMinutes(5), PyTorchFixtures.PathOf("make_fixtures.py"), name, _temp.Path);
                return _temp.Path;
            }));
        }

        public string StateDict(string name) => Path.Combine(_made[name].Value, $"{name}.pt");

        public string Expected(string name) => Path.Combine(_made[name].Value, $"{name}.json");

        public void Dispose() => _temp.Dispose();
    }

    [PyTorchFact]
    public void IResNet18FromPyTorchGivesPyTorchsEmbeddingsTo1e4() => AssertSameEmbeddings("iresnet18");

    [PyTorchFact]
    public void MobileFaceNetMbfFromPyTorchGivesPyTorchsEmbeddingsTo1e4() => AssertSameEmbeddings("mbf");

    private void AssertSameEmbeddings(string name)
    {
        using var backbone = PyTorchImporter.ImportBackbone(checkpoint.StateDict(name), name);
        backbone.Module.eval();
        var json = PyTorchFixtures.Json(checkpoint.Expected(name));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = PyTorchFixtures.Tensor(json.GetProperty("input"));
        var expected = PyTorchFixtures.Tensor(json.GetProperty("output"));
        var embeddings = backbone.Module.forward(input);
        Assert.Equal(new long[] { 2, 512 }, embeddings.shape);
        var difference = (embeddings - expected).abs().max().item<float>();
        output.WriteLine($"{name}: largest difference {difference:E2}, largest |embedding| {expected.abs().max().item<float>():F3}");
        Assert.True(difference < 1e-4f, $"largest difference {difference}");
    }

    [PyTorchFact]
    public void ImportedModelFileLoadsAndGivesPyTorchsEmbeddings()
    {
        var modelPath = Path.Combine(Path.GetDirectoryName(checkpoint.StateDict("mbf"))!, "mbf.model");
        var info = PyTorchImporter.ImportToModelFile(checkpoint.StateDict("mbf"), "mbf", modelPath);
        Assert.Equal(("mbf", 512, 112, 3, PixelNormalization.Symmetric), (info.Backbone, info.EmbeddingSize, info.InputWidth, info.Channels, info.Normalization));
        using var model = FaceModelFile.Load(modelPath);
        Assert.Equal(info.ModelId, model.Info.ModelId);
        var json = PyTorchFixtures.Json(checkpoint.Expected("mbf"));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var difference = (model.Module.forward(PyTorchFixtures.Tensor(json.GetProperty("input"))) - PyTorchFixtures.Tensor(json.GetProperty("output")))
            .abs().max().item<float>();
        Assert.True(difference < 1e-4f, $"largest difference {difference}");
    }

    [PyTorchFact]
    public void FailedImportWritesNothing()
    {
        var modelPath = Path.Combine(Path.GetDirectoryName(checkpoint.StateDict("mbf"))!, "wrong.model");
        Assert.Throws<MarginFaceException>(() => PyTorchImporter.ImportToModelFile(checkpoint.StateDict("mbf"), "iresnet18", modelPath));
        Assert.False(File.Exists(modelPath));
    }

    [PyTorchFact]
    public void IResNet18CheckpointIntoIResNet34NamesTheFirstMissingKey()
    {
        var path = checkpoint.StateDict("iresnet18");
        var error = Assert.Throws<MarginFaceException>(() => PyTorchImporter.ImportBackbone(path, "iresnet34"));
        Assert.Equal($"{path}: 'layer1.2.bn1.weight' of iresnet34 is missing from the checkpoint", error.Message);
    }
}
