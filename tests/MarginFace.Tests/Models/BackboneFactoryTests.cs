using TorchSharp;
using MarginFace.Models;

namespace MarginFace.Tests.Models;

public class BackboneFactoryTests : TorchTest
{
    [Theory]
    [InlineData("facemobilenet", 1_985_728L)]
    [InlineData("mobilefacenet", 1_003_136L)]
    [InlineData("mobilefacenet64", 1_003_136L - 512 * (7 * 7 - 4 * 4))]
    [InlineData("mobilefacenet96", 1_003_136L - 512 * (7 * 7 - 6 * 6))]
    [InlineData("mbf", 2_059_520L)]
    [InlineData("iresnet18", 24_025_600L)]
    [InlineData("iresnet34", 34_139_328L)]
    [InlineData("iresnet50", 43_590_848L)]
    [InlineData("iresnet100", 65_156_160L)]
    [InlineData("clsnet", 855_332L)]
    [InlineData("lenetpp", 797_602L)]
    [InlineData("faceapi-resnet", 5_614_592L)]
    public void ParameterCountIsTheArchitecturesAtTheDefaultEmbedding(string name, long expected)
    {
        using var backbone = BackboneFactory.Create(name);
        Assert.Equal(expected, backbone.Spec.ParameterCount);
        Assert.Equal(expected, backbone.Module.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [InlineData("facemobilenet", "128x128x1", 512, PixelNormalization.Symmetric)]
    [InlineData("mobilefacenet", "112x112x3", 128, PixelNormalization.Centered128)]
    [InlineData("mobilefacenet64", "64x64x3", 128, PixelNormalization.Centered128)]
    [InlineData("mobilefacenet96", "96x96x3", 128, PixelNormalization.Centered128)]
    [InlineData("mbf", "112x112x3", 512, PixelNormalization.Symmetric)]
    [InlineData("iresnet18", "112x112x3", 512, PixelNormalization.Symmetric)]
    [InlineData("clsnet", "28x28x1", 2, PixelNormalization.Mnist)]
    [InlineData("lenetpp", "28x28x1", 2, PixelNormalization.Mnist)]
    [InlineData("faceapi-resnet", "150x150x3", 128, PixelNormalization.FaceApiMeanRgb)]
    public void SpecStatesInputEmbeddingAndNormalisation(string name, string input, int embedding, PixelNormalization normalization)
    {
        using var backbone = BackboneFactory.Create(name);
        Assert.Equal(name, backbone.Spec.Name);
        Assert.Equal(input, backbone.Spec.Input);
        Assert.Equal(embedding, backbone.Spec.EmbeddingSize);
        Assert.Equal(normalization, backbone.Spec.Normalization);
    }

    [Fact]
    public void EmbeddingSizeChangesOnlyTheLastLayers()
    {
        using var d128 = BackboneFactory.Create("mobilefacenet");
        using var d512 = BackboneFactory.Create("MobileFaceNet", 512);
        Assert.Equal(512, d512.Spec.EmbeddingSize);
        // Linear(512 → D, no bias) and BatchNorm1d(D) (γ, β) are the only parameters that depend on D.
        Assert.Equal((512 + 2) * (512 - 128), d512.Spec.ParameterCount - d128.Spec.ParameterCount);
    }

    [Fact]
    public void UnknownNameThrowsListingEveryName()
    {
        var error = Assert.Throws<ArgumentException>(() => BackboneFactory.Create("resnet9000"));
        Assert.Contains("resnet9000", error.Message);
        foreach (var name in BackboneFactory.Names) Assert.Contains(name, error.Message);
        Assert.Throws<ArgumentException>(() => BackboneFactory.CheckName("vgg"));
        Assert.Equal("iresnet50", BackboneFactory.CheckName(" IResNet50 "));
    }

    [Fact]
    public void DropoutIsRefusedForBackbonesWithoutADropoutLayerAndOutsideZeroToOne()
    {
        var error = Assert.Throws<ArgumentException>(() => BackboneFactory.Create("facemobilenet", dropout: 0.2));
        Assert.Equal("backbone facemobilenet has no dropout layer; the mobilefacenet, mbf and iresnet backbones have one (Parameter 'dropout')", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => BackboneFactory.CheckDropout("mobilefacenet64", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BackboneFactory.CheckDropout("iresnet18", -0.1));
        BackboneFactory.CheckDropout("facemobilenet", 0);
        using var dropped = BackboneFactory.Create("mobilefacenet64", dropout: 0.4);
        using var plain = BackboneFactory.Create("mobilefacenet64");
        Assert.Equal(plain.Spec with { }, dropped.Spec);
    }

    [Fact]
    public void EmbeddingSizeBelowOneIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BackboneFactory.Create("facemobilenet", 0));

    [Theory]
    [InlineData("facemobilenet", 2)]
    [InlineData("mobilefacenet", 2)]
    [InlineData("mobilefacenet64", 2)]
    [InlineData("mobilefacenet96", 1)]
    [InlineData("mbf", 2)]
    [InlineData("iresnet18", 1)]
    [InlineData("iresnet34", 1)]
    [InlineData("iresnet50", 1)]
    [InlineData("iresnet100", 1)]
    [InlineData("clsnet", 3)]
    [InlineData("lenetpp", 3)]
    public void EvalForwardMapsABatchToEmbeddingsDeterministically(string name, int batch)
    {
        using var backbone = BackboneFactory.Create(name);
        var spec = backbone.Spec;
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(1);
        BatchNormCalibration.Calibrate(backbone.Module, torch.randn(2, spec.Channels, spec.InputHeight, spec.InputWidth, generator: generator));
        var input = torch.randn(batch, spec.Channels, spec.InputHeight, spec.InputWidth, generator: generator);
        using var noGrad = torch.no_grad();
        var first = backbone.Module.forward(input);
        var second = backbone.Module.forward(input);
        Assert.Equal(new long[] { batch, spec.EmbeddingSize }, first.shape);
        Assert.True(first.isfinite().all().item<bool>());
        Assert.Equal(0f, (first - second).abs().max().item<float>());
    }

    [Fact]
    public void TrainingForwardBackpropagatesToTheFirstConvolution()
    {
        using var backbone = BackboneFactory.Create("facemobilenet");
        using var scope = torch.NewDisposeScope();
        var input = torch.randn(2, 1, 128, 128);
        backbone.Module.forward(input).square().sum().backward();
        var first = backbone.Module.named_parameters().First();
        Assert.Equal("conv1.layers.0.weight", first.name);
        Assert.True(first.parameter.grad is { } grad && grad.abs().sum().item<float>() > 0);
    }
}
