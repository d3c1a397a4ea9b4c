using Google.Protobuf;
using Onnx;
using TorchSharp;
using MarginFace.FaceModels;
using MarginFace.Imaging;
using MarginFace.Interop.Onnx;
using MarginFace.Models;

namespace MarginFace.Tests.FaceModels;

/// <summary>An exported face model embeds through ONNX Runtime as through TorchSharp; third-party and broken files behave.</summary>
public class OnnxFaceModelTests : TorchTest
{
    private const float Tolerance = 1e-4f;

    /// <summary>A face model file of an untrained backbone (eval mode) with a crop and a threshold, and its ONNX export.</summary>
    private static (FaceModel Model, string OnnxPath) Exported(TempDirectory dir, string backbone, string crop = "none", double? threshold = null)
    {
        torch.random.manual_seed(5);
        using var created = BackboneFactory.Create(backbone);
        var s = created.Spec;
        var info = new FaceModelInfo
        {
            Backbone = s.Name, EmbeddingSize = s.EmbeddingSize, InputWidth = s.InputWidth, InputHeight = s.InputHeight,
            Channels = s.Channels, Normalization = s.Normalization, Crop = crop, VerificationThreshold = threshold,
        };
        var modelPath = dir.Combine($"{backbone}.model");
        FaceModelFile.Save(modelPath, created.Module, info);
        var model = FaceModelFile.Load(modelPath);
        var onnxPath = dir.Combine($"{backbone}.onnx");
        OnnxExporter.Export(model, onnxPath);
        return (model, onnxPath);
    }

    /// <summary>Random photos of the given size (seeded).</summary>
    private static List<RgbImage> Photos(int count, int width, int height, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var pixels = new byte[width * height * 3];
            random.NextBytes(pixels);
            return new RgbImage(width, height, 3, pixels);
        }).ToList();
    }

    private static float MaxAbsDifference(float[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        return expected.Zip(actual, (e, a) =>
        {
            Assert.Equal(e.Length, a.Length);
            return e.Zip(a, (x, y) => MathF.Abs(x - y)).Max();
        }).Max();
    }

    [Fact]
    public void ExportedFaceModelReadsItsPreprocessingCropIdAndThresholdFromMetadataAndEmbedsAsTorchSharp()
    {
        using var dir = new TempDirectory();
        var (torchModel, onnxPath) = Exported(dir, "facemobilenet", crop: "center:150", threshold: 0.3125);
        using var _ = torchModel;
        using var onnx = OnnxFaceModel.Open(onnxPath, threads: 1);
        Assert.Equal(torchModel.Info.ModelId, onnx.Info.ModelId);
        Assert.Equal(("facemobilenet", 128, 128, 1, PixelNormalization.Symmetric, "center:150", 512, 0.3125),
            (onnx.Info.Backbone, onnx.Info.InputWidth, onnx.Info.InputHeight, onnx.Info.Channels, onnx.Info.Normalization, onnx.Info.Crop,
             onnx.Info.EmbeddingSize, onnx.Info.VerificationThreshold));
        Assert.Equal(torchModel.Preprocessing.ToString(), onnx.Preprocessing.ToString());

        var photos = Photos(5, 200, 180, seed: 1);
        foreach (var flip in new[] { false, true })
        {
            var expected = torchModel.Embed(photos, torchModel.Preprocessing, flip);
            var actual = onnx.Embed(photos, onnx.Preprocessing, flip, batchSize: 2);
            Assert.True(MaxAbsDifference(expected, actual) <= Tolerance, $"flip {flip}: {MaxAbsDifference(expected, actual)}");
            Assert.All(actual, e => Assert.Equal(1.0, Math.Sqrt(e.Sum(v => (double)v * v)), 5));
        }
        Assert.NotEqual(onnx.Embed(photos[..1], onnx.Preprocessing)[0], onnx.Embed(photos[..1], onnx.Preprocessing, flip: true)[0]);
    }

    [Fact]
    public void AModelWithoutMetadataIsRefusedByMetadataAndRunsWithTheArcFaceConventionWithAFixedBatchAxis()
    {
        using var dir = new TempDirectory();
        var (torchModel, onnxPath) = Exported(dir, "mbf");
        using var _ = torchModel;
        // A third-party-like copy: no metadata_props, other input/output names, the batch axis fixed to 1 (as some exports have).
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnxPath));
        proto.MetadataProps.Clear();
        proto.Graph.Input[0].Type.TensorType.Shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimValue = 1 };
        foreach (var node in proto.Graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++) if (node.Input[i] == OnnxExporter.InputName) node.Input[i] = "data";
            for (int i = 0; i < node.Output.Count; i++) if (node.Output[i] == OnnxExporter.OutputName) node.Output[i] = "fc1";
        }
        proto.Graph.Input[0].Name = "data";
        proto.Graph.Output[0].Name = "fc1";
        var stripped = dir.Combine("third-party.onnx");
        File.WriteAllBytes(stripped, proto.ToByteArray());

        var error = Assert.Throws<OnnxPreprocessingUnknownException>(() => OnnxFaceModel.Open(stripped, threads: 1));
        Assert.StartsWith($"{stripped}: no MarginFace metadata", error.Message);
        Assert.DoesNotContain('\n', error.Message);

        using var onnx = OnnxFaceModel.Open(stripped, OnnxModelConvention.ArcFace, threads: 1);
        Assert.Equal((112, 112, 3, PixelNormalization.Symmetric, "none", 512), (onnx.Info.InputWidth, onnx.Info.InputHeight, onnx.Info.Channels,
            onnx.Info.Normalization, onnx.Info.Crop, onnx.Info.EmbeddingSize));
        Assert.Matches("^[0-9a-f]{16}$", onnx.Info.ModelId);
        Assert.NotEqual(torchModel.Info.ModelId, onnx.Info.ModelId);
        var faces = Photos(3, 112, 112, seed: 2);
        var expected = torchModel.Embed(faces, torchModel.Preprocessing, flip: true);
        var actual = onnx.Embed(faces, onnx.Preprocessing, flip: true);
        Assert.True(MaxAbsDifference(expected, actual) <= Tolerance, $"{MaxAbsDifference(expected, actual)}");
    }

    [Theory]
    [InlineData("input_width", "5000", "metadata input_width = '5000' is not a whole number in [1, 1024]")]
    [InlineData("normalization", "Sideways", "metadata normalization = 'Sideways' is not one of")]
    [InlineData("normalization_scale", "1", "metadata normalization_scale = '1' contradicts normalization Centered128 (128)")]
    [InlineData("embedding_size", "64", "its metadata says 64-D embeddings, output 'embedding' gives 128")]
    [InlineData("batch", "100000", "input 'input' fixes the batch axis to 100000 images; at most 256 are supported")]
    public void HostileOrContradictoryMetadataIsAOneLineErrorBeforeAnythingIsAllocated(string key, string value, string message)
    {
        using var dir = new TempDirectory();
        var (torchModel, onnxPath) = Exported(dir, "mobilefacenet");
        torchModel.Dispose();
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnxPath));
        if (key == "batch")
            proto.Graph.Input[0].Type.TensorType.Shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimValue = long.Parse(value) };
        else
            proto.MetadataProps.Single(p => p.Key == key).Value = value;
        var path = dir.Combine("hostile.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());
        var error = Assert.Throws<MarginFaceException>(() => OnnxFaceModel.Open(path, threads: 1));
        Assert.StartsWith($"{path}: {message}", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void TheArcFaceConventionRefusesAModelWhoseInputIsNot112By112Rgb()
    {
        using var dir = new TempDirectory();
        var (torchModel, onnxPath) = Exported(dir, "facemobilenet");
        torchModel.Dispose();
        var error = Assert.Throws<MarginFaceException>(() => OnnxFaceModel.Open(onnxPath, OnnxModelConvention.ArcFace, threads: 1));
        Assert.Equal($"{onnxPath}: input 'input' is float32 [?, 1, 128, 128], but the ArcFace convention says [N, 3, 112, 112]", error.Message);
    }

    [Fact]
    public void CorruptTruncatedOrMissingOnnxFilesAreOneLineErrorsNamingTheFile()
    {
        using var dir = new TempDirectory();
        var (torchModel, onnxPath) = Exported(dir, "mobilefacenet");
        torchModel.Dispose();
        var bytes = File.ReadAllBytes(onnxPath);
        var truncated = dir.Combine("truncated.onnx");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var garbage = dir.Combine("garbage.onnx");
        File.WriteAllText(garbage, "this is not a protobuf message at all");
        foreach (var path in new[] { truncated, garbage })
        {
            var error = Assert.Throws<MarginFaceException>(() => OnnxFaceModel.Open(path, threads: 1));
            Assert.StartsWith($"{path}: not a valid ONNX model (", error.Message);
            Assert.DoesNotContain('\n', error.Message);
        }
        var missing = dir.Combine("missing.onnx");
        Assert.Equal($"{missing}: model file not found", Assert.Throws<MarginFaceException>(() => FaceModelLoader.Open(missing)).Message);
    }

    [Fact]
    public void AnOnnxFileIsRecognisedByContentWhateverItsNameAndAFaceModelFileIsNot()
    {
        using var dir = new TempDirectory();
        var (torchModel, onnxPath) = Exported(dir, "mobilefacenet");
        using var _ = torchModel;
        var renamed = dir.Combine("face.bin");
        File.Copy(onnxPath, renamed);
        Assert.True(FaceModelLoader.IsOnnx(renamed));
        Assert.False(FaceModelLoader.IsOnnx(dir.Combine("mobilefacenet.model")));
        using var opened = FaceModelLoader.Open(renamed, threads: 1);
        Assert.IsType<OnnxFaceModel>(opened);
        using var file = FaceModelLoader.Open(dir.Combine("mobilefacenet.model"));
        Assert.IsType<FaceModel>(file);
        Assert.Equal(file.Info.ModelId, opened.Info.ModelId);

        // Through the pipeline's embedder: the same aligned crop gives the same embedding on both runtimes.
        var crop = Photos(1, 112, 112, seed: 3)[0];
        var fromOnnx = new FaceModelEmbedder(opened).Embed(crop);
        var fromTorch = new FaceModelEmbedder(file).Embed(crop);
        Assert.True(fromOnnx.Zip(fromTorch, (a, b) => MathF.Abs(a - b)).Max() <= Tolerance);
    }
}
