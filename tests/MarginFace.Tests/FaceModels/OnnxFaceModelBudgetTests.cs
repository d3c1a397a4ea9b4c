using Google.Protobuf;
using Onnx;
using MarginFace.FaceModels;
using MarginFace.Runtime;

namespace MarginFace.Tests.FaceModels;

/// <summary>
/// ONNX models whose metadata or input shape is absurd (issue 40): a one-line <see cref="MarginFaceException"/> naming the
/// file before the metadata is parsed or an input batch is allocated. The models are made here: one ReduceMean node from
/// float32 [batch, 3, side, side] to [N, D] with MarginFace's metadata.
/// </summary>
public class OnnxFaceModelBudgetTests
{
    private static string Write(TempDirectory dir, long? batch, int side, params (string Key, string Value)[] extra)
    {
        TensorShapeProto Shape(params TensorShapeProto.Types.Dimension[] dims)
        {
            var shape = new TensorShapeProto();
            shape.Dim.AddRange(dims);
            return shape;
        }
        TensorShapeProto.Types.Dimension Fixed(long value) => new() { DimValue = value };
        TensorShapeProto.Types.Dimension Named(string name) => new() { DimParam = name };
        ValueInfoProto Value(string name, TensorShapeProto shape) => new()
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
        var graph = new GraphProto { Name = "reduce" };
        graph.Input.Add(Value("input", Shape(batch is { } b ? Fixed(b) : Named("N"), Fixed(3), Fixed(side), Fixed(side))));
        graph.Output.Add(Value("embedding", Shape(Named("N"), Named("D"))));
        graph.Node.Add(new NodeProto
        {
            OpType = "ReduceMean", Input = { "input" }, Output = { "embedding" },
            Attribute =
            {
                new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 3 } },
                new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 },
            },
        });
        var model = new ModelProto { IrVersion = 8, Graph = graph, OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 17 } } };
        foreach (var (key, value) in new[] { ("input_width", $"{side}"), ("input_height", $"{side}"), ("channels", "3"), ("normalization", "Symmetric") }.Concat(extra))
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        var path = dir.Combine($"reduce-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static string Refused(string path)
    {
        var error = Assert.Throws<MarginFaceException>(() => OnnxFaceModel.Open(path, threads: 1).Dispose());
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith($"{path}: ", error.Message);
        return error.Message[(path.Length + 2)..];
    }

    [Fact]
    public void SmallHandMadeModelOpensWithItsEmbeddingSizeFromOneRun()
    {
        using var dir = new TempDirectory();
        using var model = OnnxFaceModel.Open(Write(dir, batch: null, side: 16), threads: 1);
        Assert.Equal(3, model.Info.EmbeddingSize);
    }

    /// <summary>256 × 3 × 1024 × 1024 floats (3 GiB) would be allocated for the run that measures the embedding size.</summary>
    [Fact]
    public void FixedBatchOfFullSizeImagesBeyondTheBatchBudgetIsRefusedBeforeAllocating()
    {
        using var dir = new TempDirectory();
        var path = Write(dir, batch: 256, side: 1024);
        Assert.Equal($"input 'input' takes batches of 256 × 3 × 1024 × 1024 = {256L * 3 * 1024 * 1024} floats; at most {ReadLimits.MaxBatchFloats} are supported", Refused(path));
    }

    [Fact]
    public void MetadataValueLongerThanTheLimitIsRefusedBeforeParsing()
    {
        using var dir = new TempDirectory();
        var path = Write(dir, batch: null, side: 16, ("backbone", new string('x', 100_000)));
        Assert.Equal($"metadata 'backbone' is 100000 characters long; at most {ReadLimits.MaxOnnxMetadataChars} are read", Refused(path));
    }

    [Fact]
    public void EmbeddingSizeInMetadataBeyondTheLimitIsRefused()
    {
        using var dir = new TempDirectory();
        var path = Write(dir, batch: null, side: 16, ("embedding_size", "100000"));
        Assert.Equal($"metadata embedding_size = '100000' is not a whole number in [1, {ReadLimits.MaxEmbeddingSize}]", Refused(path));
    }
}
