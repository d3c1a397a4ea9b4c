using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;
using MarginFace.Interop.FaceApi;
using MarginFace.Interop.Onnx;
using MarginFace.Models;
using static TorchSharp.torch;

namespace MarginFace.Tests.Interop.Onnx;

[Trait("Category", "Integration")]
public class FaceApiOnnxExportTests(ITestOutputHelper output) : TorchTest
{
    private static float[] RunOnnx(string path, float[] input, int batch)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(path, options);
        var tensor = new DenseTensor<float>(input, [batch, 3, FaceApiResNet.InputSize, FaceApiResNet.InputSize]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, tensor)]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    private static float[] RunTorch(nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> module, float[] input, int batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor(input, [batch, 3, FaceApiResNet.InputSize, FaceApiResNet.InputSize]);
        return module.forward(x).data<float>().ToArray();
    }

    private float MaxRelativeDifference(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(MathF.Abs);
        Assert.True(scale > 0);
        var difference = expected.Zip(actual, (e, a) => MathF.Abs(e - a)).Max();
        output.WriteLine($"largest difference {difference:E2}, largest value {scale:F3}");
        return difference / scale;
    }

    [Fact]
    public void FreshFaceApiResNetRunsInOnnxRuntimeAsInTorchSharp()
    {
        using var temp = new TempDirectory();
        using var backbone = BackboneFactory.Create("faceapi-resnet");
        backbone.Module.eval();
        var path = Path.Combine(temp.Path, "faceapi.onnx");
        OnnxExporter.Export(backbone.Module, backbone.Spec, path);
        using var input = randn(2, 3, FaceApiResNet.InputSize, FaceApiResNet.InputSize, generator: new Generator(3));
        var values = input.data<float>().ToArray();
        var expected = RunTorch(backbone.Module, values, 2);
        Assert.Equal(2 * 128, expected.Length);
        Assert.True(MaxRelativeDifference(expected, RunOnnx(path, values, 2)) < 1e-4f);
    }

    [FaceApiFact]
    public void PretrainedModelExportsToOnnxWithFaceApisDescriptorOnAFaceLikeInput()
    {
        using var temp = new TempDirectory();
        using var model = PretrainedFaceModel.Load(FaceApiTestModel.Cache.EnsureAvailable());
        var info = model.Info;
        var spec = new BackboneSpec(info.Backbone, info.InputWidth, info.InputHeight, info.Channels, info.Normalization, info.EmbeddingSize, 0);
        var path = Path.Combine(temp.Path, "pretrained.onnx");
        OnnxExporter.Export(model.Module, spec, path);
        // The synthetic pattern of PortGivesFaceApisOwnDescriptorTo1e4, normalised as the model's preprocessing does (no face to crop).
        var pixels = new byte[150 * 150 * 3];
        for (int y = 0; y < 150; y++)
            for (int x = 0; x < 150; x++)
                for (int c = 0; c < 3; c++)
                    pixels[(y * 150 + x) * 3 + c] = (byte)((y * 7 + x * 13 + c * 50) % 256);
        var values = (model.Preprocessing with { Crop = MarginFace.Data.FaceCrop.None }).ToChw(new MarginFace.Imaging.RgbImage(150, 150, 3, pixels));
        var expected = RunTorch(model.Module, values, 1);
        Assert.True(MaxRelativeDifference(expected, RunOnnx(path, values, 1)) < 1e-4f);
    }
}
