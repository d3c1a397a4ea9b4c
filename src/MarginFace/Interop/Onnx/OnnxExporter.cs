using Google.Protobuf;
using Onnx;
using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Models;
using MarginFace.Runtime;
using static TorchSharp.torch;

namespace MarginFace.Interop.Onnx;

/// <summary>
/// Writes a backbone as an ONNX model (opset <see cref="Opset"/>, IR version 8): input <c>"input"</c> float32
/// [N, C, H, W] with a dynamic batch axis N, output <c>"embedding"</c> [N, D], eval-mode semantics (batch norms as
/// BatchNormalization nodes with the running statistics, dropout left out), and the preprocessing in metadata_props
/// (<see cref="MetadataKeys"/>).
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set the graph is written for.</summary>
    public const int Opset = 17;

    /// <summary>Name of the graph's input.</summary>
    public const string InputName = "input";

    /// <summary>Name of the graph's output.</summary>
    public const string OutputName = "embedding";

    /// <summary>
    /// metadata_props keys: backbone name, input width, height, channels (1 grey, 3 RGB in that order), normalisation
    /// (enum name), its formula, mean and scale on 0..255 pixels (y_c = (x_c − mean_c) / scale_c; one number when all channels
    /// share it, else one per channel separated by commas, e.g. "122.782,117.001,104.298"), and the embedding size.
    /// </summary>
    public static IReadOnlyList<string> MetadataKeys { get; } =
        ["backbone", "input_width", "input_height", "channels", "normalization", "normalization_formula",
         "normalization_mean", "normalization_scale", "embedding_size"];

    /// <summary>metadata_props key of the crop applied to a whole photo (<see cref="FaceCrop.Parse"/>), written when exporting a face model.</summary>
    public const string CropKey = "crop";

    /// <summary>metadata_props key of the face model's id (<see cref="FaceModelInfo.ModelId"/>), written when exporting a face model.</summary>
    public const string ModelIdKey = "model_id";

    /// <summary>metadata_props key of the face model's verification threshold, written when it has one.</summary>
    public const string VerificationThresholdKey = "verification_threshold";

    /// <summary>
    /// Exports a loaded face model to <paramref name="path"/>, atomically: its backbone and spec as <see cref="Export(nn.Module{Tensor, Tensor}, BackboneSpec, string)"/>,
    /// plus <see cref="CropKey"/>, <see cref="ModelIdKey"/> (so that the ONNX model shares the file's galleries) and, when known,
    /// <see cref="VerificationThresholdKey"/>.
    /// </summary>
    public static void Export(FaceModel faceModel, string path)
    {
        ArgumentNullException.ThrowIfNull(faceModel);
        ArgumentNullException.ThrowIfNull(path);
        var model = Build(faceModel.Module, OnnxModelMetadata.Spec(faceModel.Info, faceModel.Module.parameters().Sum(p => p.numel())));
        foreach (var (key, value) in OnnxModelMetadata.FaceModel(faceModel.Info))
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        Write(model, path);
    }

    /// <summary>Exports <paramref name="module"/> described by <paramref name="spec"/> to <paramref name="path"/>, atomically.</summary>
    public static void Export(nn.Module<Tensor, Tensor> module, BackboneSpec spec, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Write(Build(module, spec), path);
    }

    private static void Write(ModelProto model, string path)
    {
        AtomicFile.Write(path, temp =>
        {
            using var stream = File.Create(temp);
            model.WriteTo(stream);
        });
    }

    /// <summary>The serialised ONNX model of <paramref name="module"/>.</summary>
    public static byte[] ToBytes(nn.Module<Tensor, Tensor> module, BackboneSpec spec) => Build(module, spec).ToByteArray();

    internal static ModelProto Build(nn.Module<Tensor, Tensor> module, BackboneSpec spec)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(spec);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export writes little-endian raw tensor data");
        var graph = new GraphProto { Name = spec.Name };
        graph.Input.Add(Value(InputName, [null, spec.Channels, spec.InputHeight, spec.InputWidth]));
        var builder = new OnnxGraphBuilder(graph, module);
        var (output, rank) = builder.Emit(module, InputName, 4);
        if (rank != 2) throw new InvalidOperationException($"ONNX export: {spec.Name} ends in a rank-{rank} value, not [N, D]");
        graph.Node.Add(new NodeProto { OpType = "Identity", Name = "output", Input = { output }, Output = { OutputName } });
        graph.Output.Add(Value(OutputName, [null, spec.EmbeddingSize]));

        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "MarginFace",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            DocString = $"{spec.Name} face embedding: {spec.Input} input, {spec.Normalization.Formula()}, {spec.EmbeddingSize}-D output",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in OnnxModelMetadata.Describe(spec))
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>A float32 tensor value; a null dimension is the symbolic batch axis "N".</summary>
    private static ValueInfoProto Value(string name, int?[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
            shape.Dim.Add(dim is { } size ? new TensorShapeProto.Types.Dimension { DimValue = size } : new TensorShapeProto.Types.Dimension { DimParam = "N" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
