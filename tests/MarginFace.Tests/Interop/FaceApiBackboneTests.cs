using Onnx;
using MarginFace.Interop.FaceApi;
using MarginFace.Interop.Onnx;
using MarginFace.Models;
using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Tests.Interop;

public class FaceApiBackboneTests : TorchTest
{
    [Fact]
    public void FactoryMakesFaceApisNetworkFor150x150RgbWith128Dimensions()
    {
        using var backbone = BackboneFactory.Create("faceapi-resnet");
        Assert.IsType<FaceApiResNet>(backbone.Module);
        Assert.Equal("150x150x3", backbone.Spec.Input);
        Assert.Equal(128, backbone.Spec.EmbeddingSize);
        Assert.Equal(PixelNormalization.FaceApiMeanRgb, backbone.Spec.Normalization);
        Assert.True(BackboneFactory.HasFixedEmbedding("faceapi-resnet"));
        Assert.False(BackboneFactory.HasFixedEmbedding("iresnet18"));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        backbone.Module.eval();
        Assert.Equal([2L, 128L], backbone.Module.forward(randn(2, 3, 150, 150)).shape);
    }

    [Fact]
    public void EmbeddingSizeOtherThan128IsRefused()
    {
        using var same = BackboneFactory.Create("faceapi-resnet", 128);
        var e = Assert.Throws<ArgumentException>(() => BackboneFactory.Create("faceapi-resnet", 64));
        Assert.StartsWith("backbone faceapi-resnet has a fixed 128-D embedding, not 64", e.Message);
        var options = new FaceTrainingOptions { Data = "faces", Backbone = "faceapi-resnet", Embedding = 512 };
        var refused = Assert.Throws<MarginFaceException>(options.Validate);
        Assert.Equal("FaceTrainingOptions.Embedding: backbone faceapi-resnet has a fixed 128-D embedding, not 512", refused.Message);
    }

    [Fact]
    public void FreshNetworksHaveRandomTrainableWeights()
    {
        using var a = BackboneFactory.Create("faceapi-resnet");
        using var b = BackboneFactory.Create("faceapi-resnet");
        var first = a.Module.state_dict()["conv32_down.conv.weight"];
        var second = b.Module.state_dict()["conv32_down.conv.weight"];
        Assert.False(first.allclose(second));
        Assert.True(a.Module.parameters().All(p => p.requires_grad));
    }

    [Fact]
    public void OnnxMetadataGivesAPerChannelMeanOnePerChannel()
    {
        using var backbone = BackboneFactory.Create("mobilefacenet", 8);
        backbone.Module.eval();
        var spec = backbone.Spec with { Normalization = PixelNormalization.FaceApiMeanRgb };
        var model = ModelProto.Parser.ParseFrom(OnnxExporter.ToBytes(backbone.Module, spec));
        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("FaceApiMeanRgb", metadata["normalization"]);
        Assert.Equal("122.782,117.001,104.298", metadata["normalization_mean"]);
        Assert.Equal("255", metadata["normalization_scale"]);
    }
}
