using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.OnnxRuntime;
using TorchSharp.Modules;
using TorchSharp;
using Xunit.Abstractions;
using MarginFace.Interop.Onnx;
using MarginFace.Mnist;
using MarginFace.Models;
using MarginFace.Tests.Models;

namespace MarginFace.Tests.Interop.Onnx;

/// <summary>Exported backbones run in ONNX Runtime and give TorchSharp's eval-mode embeddings.</summary>
[Trait("Category", "Integration")]
public class OnnxExporterTests(ITestOutputHelper output) : TorchTest
{
    /// <summary>Largest allowed |onnx − torch|, relative to the largest |torch| when that exceeds 1 (float32 sums).</summary>
    private const float Tolerance = 1e-4f;

    [Theory]
    [InlineData("facemobilenet", 2)]
    [InlineData("mobilefacenet", 2)]
    [InlineData("mbf", 2)]
    [InlineData("iresnet18", 1)]
    [InlineData("iresnet34", 1)]
    [InlineData("iresnet50", 1)]
    [InlineData("clsnet", 3)]
    [InlineData("lenetpp", 3)]
    public void OnnxRuntimeReproducesTorchSharpEmbeddings(string name, int batch)
    {
        using var temp = new TempDirectory();
        using var backbone = RandomisedBackbone(name);
        var spec = backbone.Spec;
        var path = Path.Combine(temp.Path, $"{name}.onnx");
        OnnxExporter.Export(backbone.Module, spec, path);

        using var session = OpenSession(path);
        var (input, expected) = TorchEmbeddings(backbone, batch, seed: 7);
        var actual = Run(session, input, [batch, spec.Channels, spec.InputHeight, spec.InputWidth]);
        var difference = MaxAbsDifference(expected, actual);
        var scale = expected.Max(MathF.Abs);
        output.WriteLine($"{name}: batch {batch}, max |onnx - torch| = {difference:G3}, max |torch| = {scale:G3}");
        Assert.Equal(batch * spec.EmbeddingSize, actual.Length);
        Assert.True(difference <= Allowed(expected), $"{name}: max abs difference {difference} > {Allowed(expected)}");
    }

    [Fact]
    public void BatchAxisIsDynamic()
    {
        using var temp = new TempDirectory();
        using var backbone = RandomisedBackbone("mobilefacenet");
        var spec = backbone.Spec;
        var path = Path.Combine(temp.Path, "m.onnx");
        OnnxExporter.Export(backbone.Module, spec, path);
        using var session = OpenSession(path);
        foreach (var batch in new[] { 1, 5 })
        {
            var (input, expected) = TorchEmbeddings(backbone, batch, seed: batch);
            var actual = Run(session, input, [batch, spec.Channels, spec.InputHeight, spec.InputWidth]);
            Assert.Equal(batch * spec.EmbeddingSize, actual.Length);
            Assert.True(MaxAbsDifference(expected, actual) <= Allowed(expected));
        }
        var dims = session.InputMetadata[OnnxExporter.InputName].Dimensions;
        Assert.Equal(new[] { -1, 3, 112, 112 }, dims);
        Assert.Equal(new[] { -1, 128 }, session.OutputMetadata[OnnxExporter.OutputName].Dimensions);
    }

    [Fact]
    public void MnistNetworkWithFeatureBatchNormExports()
    {
        using var temp = new TempDirectory();
        torch.random.manual_seed(3);
        var module = FeatureNetworkFactory.Create("lenetpp", 3, featureBatchNorm: true);
        using (var calibration = torch.randn(4, 1, 28, 28))
            BatchNormCalibration.Calibrate(module, calibration);
        var spec = new BackboneSpec("lenetpp", 28, 28, 1, PixelNormalization.Mnist, 3, 0);
        using var backbone = new Backbone(module, spec);
        var path = Path.Combine(temp.Path, "l.onnx");
        OnnxExporter.Export(module, spec, path);
        using var session = OpenSession(path);
        var (input, expected) = TorchEmbeddings(backbone, 2, seed: 5);
        var actual = Run(session, input, [2, 1, 28, 28]);
        Assert.True(MaxAbsDifference(expected, actual) <= Allowed(expected));
    }

    [Fact]
    public void MetadataRecordsThePreprocessing()
    {
        using var temp = new TempDirectory();
        using var backbone = BackboneFactory.Create("facemobilenet", 64);
        backbone.Module.eval();
        var path = Path.Combine(temp.Path, "f.onnx");
        OnnxExporter.Export(backbone.Module, backbone.Spec, path);
        using var session = OpenSession(path);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("facemobilenet", metadata["backbone"]);
        Assert.Equal("128", metadata["input_width"]);
        Assert.Equal("128", metadata["input_height"]);
        Assert.Equal("1", metadata["channels"]);
        Assert.Equal("Symmetric", metadata["normalization"]);
        Assert.Equal("127.5", metadata["normalization_mean"]);
        Assert.Equal("127.5", metadata["normalization_scale"]);
        Assert.Equal("64", metadata["embedding_size"]);
        Assert.Equal(OnnxExporter.MetadataKeys.Order(), metadata.Keys.Order());
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void UnsupportedModuleTypeIsRefusedWithoutWritingAFile()
    {
        using var temp = new TempDirectory();
        using var module = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Softmax(1));
        var spec = new BackboneSpec("custom", 4, 4, 1, PixelNormalization.Symmetric, 16, 0);
        var path = Path.Combine(temp.Path, "x.onnx");
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(module, spec, path));
        Assert.Contains("Softmax", error.Message);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    /// <summary>
    /// A backbone in eval mode whose batch-norm affine parameters, running statistics and PReLU slopes are all away from
    /// their initial values (γ = 1, β = 0, mean 0, variance 1, slope 0.25), so a wrong export rule for any of them shows.
    /// The running statistics are those of a random batch of two (so activations stay of order one even in IResNet-100);
    /// the final BatchNorm1d, whose variance over two samples can be near zero, gets 1 added to it.
    /// </summary>
    private static Backbone RandomisedBackbone(string name)
    {
        torch.random.manual_seed(11);
        var backbone = BackboneFactory.Create(name);
        using (torch.no_grad())
        {
            foreach (var module in backbone.Module.modules())
            {
                switch (module)
                {
                    case NormBase norm:
                        norm.weight.uniform_(0.5, 1.5);
                        norm.bias!.normal_(0, 0.1);
                        break;
                    case PReLU prelu:
                        prelu.weight.uniform_(0.0, 0.5);
                        break;
                }
            }
        }
        var spec = backbone.Spec;
        using (var calibration = torch.randn(2, spec.Channels, spec.InputHeight, spec.InputWidth))
            BatchNormCalibration.Calibrate(backbone.Module, calibration);
        using (torch.no_grad())
            foreach (var norm in backbone.Module.modules().OfType<BatchNorm1d>())
                norm.running_var!.add_(1.0);
        return backbone;
    }

    private static (float[] Input, float[] Embeddings) TorchEmbeddings(Backbone backbone, int batch, int seed)
    {
        var spec = backbone.Spec;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var input = torch.randn(batch, spec.Channels, spec.InputHeight, spec.InputWidth, generator: new torch.Generator((ulong)seed));
        var embeddings = backbone.Module.forward(input);
        return (input.data<float>().ToArray(), embeddings.data<float>().ToArray());
    }

    private static InferenceSession OpenSession(string path)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        return new InferenceSession(path, options);
    }

    private static float[] Run(InferenceSession session, float[] input, int[] dims)
    {
        var tensor = new DenseTensor<float>(input, dims);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, tensor)]);
        var result = results.Single();
        Assert.Equal(OnnxExporter.OutputName, result.Name);
        return result.AsEnumerable<float>().ToArray();
    }

    private static float Allowed(float[] expected) => Tolerance * MathF.Max(1f, expected.Max(MathF.Abs));

    private static float MaxAbsDifference(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        return expected.Zip(actual, (e, a) => MathF.Abs(e - a)).Max();
    }
}
