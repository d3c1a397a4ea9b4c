using Xunit.Abstractions;
using MarginFace.FaceModels;
using MarginFace.Imaging;
using MarginFace.Interop.PyTorch;
using MarginFace.Models;
using static TorchSharp.torch;

namespace MarginFace.Tests.Interop;

/// <summary>
/// Random-weight iresnet18 and mbf laid out as arcface_torch's, saved by PyTorch 1.13 (<c>make_fixtures.py import</c>: the
/// committed <c>arcface_*.pt</c>, every convolution and linear weight a strided view of one shared storage so that they stay
/// small) with PyTorch's outputs for two images: imported into MarginFace's backbones of the same names, the same images give
/// the same outputs.
/// </summary>
public class ArcfaceTorchImportTests(ITestOutputHelper output) : TorchTest
{
    /// <summary>The committed test images as arcface_torch feeds them: RGB, (x − 127.5) / 127.5, <c>[2, 3, 112, 112]</c>.</summary>
    internal static Tensor Images()
    {
        var images = PyTorchFixtures.Json("arcface_expected.json").GetProperty("images").EnumerateArray()
            .Select(name => ImageFile.Read(PyTorchFixtures.PathOf(name.GetString()!)).ToRgb()).ToList();
        var pixels = images.SelectMany(image => image.Pixels).ToArray();
        // contiguous(): iresnet18 given the permuted (channels-last strided) tensor itself is off by up to 0.49 (mbf is not);
        // the program's own preprocessing always makes contiguous inputs.
        return tensor(pixels, ScalarType.Byte).reshape(images.Count, 112, 112, 3).permute(0, 3, 1, 2).contiguous()
            .to_type(ScalarType.Float32).sub(127.5).div(127.5);
    }

    /// <summary>PyTorch's raw output of <paramref name="network"/> for <see cref="Images"/>.</summary>
    internal static Tensor Expected(string network) =>
        PyTorchFixtures.Tensor(PyTorchFixtures.Json("arcface_expected.json").GetProperty("networks").GetProperty(network).GetProperty("output"));

    [Theory]
    [InlineData("arcface_iresnet18_model.pt", "iresnet18")]
    [InlineData("arcface_mbf_model.pt", "mbf")]
    [InlineData("arcface_mbf_checkpoint_gpu_0.pt", "mbf")]
    public void ArcfaceTorchFilesGivePyTorchsOutputsTo1e4(string file, string network)
    {
        using var backbone = PyTorchImporter.ImportBackbone(PyTorchFixtures.PathOf(file), network);
        backbone.Module.eval();
        using var noGrad = no_grad();
        var expected = Expected(network);
        var outputs = backbone.Module.forward(Images());
        Assert.Equal(new long[] { 2, 512 }, outputs.shape);
        var difference = (outputs - expected).abs().max().item<float>();
        output.WriteLine($"{file}: largest difference {difference:E2}, largest |output| {expected.abs().max().item<float>():F3}");
        Assert.True(difference < 1e-4f, $"largest difference {difference}");
    }

    [Fact]
    public void ImportedModelFileLoadsAndGivesPyTorchsOutputs()
    {
        using var work = new TempDirectory();
        var modelPath = work.Combine("mbf.model");
        var info = PyTorchImporter.ImportToModelFile(PyTorchFixtures.PathOf("arcface_mbf_model.pt"), "mbf", modelPath);
        Assert.Equal(("mbf", 512, 112, 3, PixelNormalization.Symmetric), (info.Backbone, info.EmbeddingSize, info.InputWidth, info.Channels, info.Normalization));
        using var model = FaceModelFile.Load(modelPath);
        Assert.Equal(info.ModelId, model.Info.ModelId);
        using var noGrad = no_grad();
        var difference = (model.Module.forward(Images()) - Expected("mbf")).abs().max().item<float>();
        Assert.True(difference < 1e-4f, $"largest difference {difference}");
    }

    [Fact]
    public void FailedImportWritesNothing()
    {
        using var work = new TempDirectory();
        var modelPath = work.Combine("wrong.model");
        Assert.Throws<MarginFaceException>(() => PyTorchImporter.ImportToModelFile(PyTorchFixtures.PathOf("arcface_mbf_model.pt"), "iresnet18", modelPath));
        Assert.False(File.Exists(modelPath));
    }

    [Fact]
    public void IResNet18CheckpointIntoIResNet34NamesTheFirstMissingKey()
    {
        var path = PyTorchFixtures.PathOf("arcface_iresnet18_model.pt");
        var error = Assert.Throws<MarginFaceException>(() => PyTorchImporter.ImportBackbone(path, "iresnet34"));
        Assert.Equal($"{path}: 'layer1.2.bn1.weight' of iresnet34 is missing from the checkpoint", error.Message);
    }
}
