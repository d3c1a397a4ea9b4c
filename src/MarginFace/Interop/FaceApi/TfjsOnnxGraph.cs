using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// Builds an ONNX graph (NCHW, float32) straight from a TF.js weights manifest, so that face-api's networks run on ONNX Runtime
/// without libtorch. TF.js keeps convolution filters as HWIO <c>[kh, kw, in, out]</c> and depthwise filters as
/// <c>[kh, kw, in, 1]</c>; ONNX wants OIHW and <c>[in, 1, kh, kw]</c> with <c>group = in</c>: <see cref="Conv"/> and
/// <see cref="DepthwiseConv"/> transpose. TensorFlow's <c>same</c> padding puts the odd pixel at the bottom/right, which is
/// ONNX's <c>SAME_UPPER</c>. Every weight is looked up by name with its expected shape: a manifest that lacks one or holds it
/// in another shape is a one-line <see cref="MarginFaceException"/> naming the manifest.
/// </summary>
internal sealed class TfjsOnnxGraph
{
    private const int Opset = 13;
    private readonly GraphProto graph = new() { Name = "face-api" };
    private readonly Dictionary<string, TfjsWeight> weights;
    private readonly HashSet<string> used = [];
    private int count;

    /// <param name="weights">The manifest's weights (<see cref="TfjsWeightManifest.Read"/>).</param>
    /// <param name="source">The manifest's path, for messages.</param>
    public TfjsOnnxGraph(IReadOnlyList<TfjsWeight> weights, string source)
    {
        Source = source;
        this.weights = new Dictionary<string, TfjsWeight>(StringComparer.Ordinal);
        foreach (var weight in weights)
            if (!this.weights.TryAdd(weight.Name, weight)) throw new MarginFaceException($"{source}: weight '{weight.Name}' appears twice");
    }

    /// <summary>The model's metadata_props, written by <see cref="ToBytes"/>.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>The manifest the weights came from.</summary>
    public string Source { get; }

    /// <summary>Whether the manifest holds a weight named <paramref name="name"/>.</summary>
    public bool Has(string name) => weights.ContainsKey(name);

    /// <summary>The values of weight <paramref name="name"/>, checked to have <paramref name="shape"/> (TF.js layout; -1 matches any size).</summary>
    public float[] Values(string name, params long[] shape) => Weight(name, shape).Values;

    /// <summary>The shape of weight <paramref name="name"/> as the manifest gives it.</summary>
    public long[] Shape(string name) => Weight(name).Shape;

    /// <summary>Declares a float32 graph input of <paramref name="shape"/> (a dimension of -1 is dynamic).</summary>
    public string Input(string name, params long[] shape)
    {
        graph.Input.Add(Value(name, shape));
        return name;
    }

    /// <summary>Marks <paramref name="value"/> as the graph output <paramref name="name"/>.</summary>
    public void Output(string value, string name)
    {
        graph.Node.Add(new NodeProto { OpType = "Identity", Name = $"output_{name}", Input = { value }, Output = { name } });
        graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
    }

    /// <summary>
    /// A convolution with the HWIO filters <c>{prefix}/{filters}</c> and, when named, the bias <c>{prefix}/{bias}</c>;
    /// <paramref name="same"/>: TensorFlow's <c>same</c> padding, else <c>valid</c>.
    /// </summary>
    public string Conv(string input, string filters, string? bias, int stride = 1, bool same = true)
    {
        var shape = Shape(filters);
        if (shape.Length != 4) throw new MarginFaceException($"{Source}: weight '{filters}' has rank {shape.Length}, expected 4 (HWIO filters)");
        long kh = shape[0], kw = shape[1], input_ = shape[2], output = shape[3];
        var values = Transpose(Values(filters, kh, kw, input_, output), [kh, kw, input_, output], [3, 2, 0, 1]);
        List<string> inputs = [input, Constant(values, [output, input_, kh, kw], filters)];
        if (bias is not null) inputs.Add(Constant(Values(bias, output), [output], bias));
        return Node("Conv", inputs, Ints("kernel_shape", kh, kw), Ints("strides", stride, stride), Padding(same));
    }

    /// <summary>A depthwise convolution with the filters <c>[kh, kw, C, 1]</c> named <paramref name="filters"/> and an optional bias.</summary>
    public string DepthwiseConv(string input, string filters, string? bias, int stride = 1, bool same = true)
    {
        var shape = Shape(filters);
        if (shape.Length != 4 || shape[3] != 1) throw new MarginFaceException($"{Source}: weight '{filters}' has shape [{string.Join(", ", shape)}], expected [kh, kw, C, 1]");
        long kh = shape[0], kw = shape[1], channels = shape[2];
        var values = Transpose(Values(filters, kh, kw, channels, 1), [kh, kw, channels, 1], [2, 3, 0, 1]);
        List<string> inputs = [input, Constant(values, [channels, 1, kh, kw], filters)];
        if (bias is not null) inputs.Add(Constant(Values(bias, channels), [channels], bias));
        return Node("Conv", inputs, Ints("kernel_shape", kh, kw), Ints("strides", stride, stride), Int("group", channels), Padding(same));
    }

    /// <summary>
    /// A depthwise convolution followed by TF's batch normalisation <c>(y − mean) · γ / √(var + ε) + β</c>, folded into the
    /// filters and a bias: w' = w · γ/√(var + ε), b = β − mean · γ/√(var + ε). The four statistics are <c>{batchNorm}/gamma</c>,
    /// <c>beta</c>, <c>moving_mean</c> and <c>moving_variance</c>, as TF's MobileNet exports name them.
    /// </summary>
    public string DepthwiseConvBatchNorm(string input, string filters, string batchNorm, float epsilon, int stride = 1, bool same = true)
    {
        var shape = Shape(filters);
        if (shape.Length != 4 || shape[3] != 1) throw new MarginFaceException($"{Source}: weight '{filters}' has shape [{string.Join(", ", shape)}], expected [kh, kw, C, 1]");
        long kh = shape[0], kw = shape[1], channels = shape[2];
        var gamma = Values($"{batchNorm}/gamma", channels);
        var beta = Values($"{batchNorm}/beta", channels);
        var mean = Values($"{batchNorm}/moving_mean", channels);
        var variance = Values($"{batchNorm}/moving_variance", channels);
        var values = Transpose(Values(filters, kh, kw, channels, 1), [kh, kw, channels, 1], [2, 3, 0, 1]);
        var bias = new float[channels];
        var taps = (int)(kh * kw);
        for (int c = 0; c < channels; c++)
        {
            var scale = gamma[c] / MathF.Sqrt(variance[c] + epsilon);
            for (int k = 0; k < taps; k++) values[c * taps + k] *= scale;
            bias[c] = beta[c] - mean[c] * scale;
        }
        List<string> inputs = [input, Constant(values, [channels, 1, kh, kw], filters), Constant(bias, [channels], batchNorm)];
        return Node("Conv", inputs, Ints("kernel_shape", kh, kw), Ints("strides", stride, stride), Int("group", channels), Padding(same));
    }

    /// <summary>min(max(x, <paramref name="min"/>), <paramref name="max"/>), e.g. ReLU6 as (0, 6).</summary>
    public string Clip(string input, float min, float max) =>
        Node("Clip", [input, Constant([min], [], "clip_min"), Constant([max], [], "clip_max")]);

    /// <summary>max(x, αx): TF.js face-api's <c>leaky</c> is relu(x − αx) + αx, the same function.</summary>
    public string LeakyRelu(string input, float alpha) => Node("LeakyRelu", [input], Float("alpha", alpha));

    /// <summary>Max pooling over <paramref name="size"/>² windows with TF's <c>same</c> padding (padded cells never win).</summary>
    public string MaxPool(string input, int size, int stride) =>
        Node("MaxPool", [input], Ints("kernel_shape", size, size), Ints("strides", stride, stride), Padding(true));

    /// <summary>NCHW → NHWC then reshape to <c>[1, -1, <paramref name="last"/>]</c>: TF's <c>reshape(x, [batch, -1, last])</c> of an NHWC map.</summary>
    public string FlattenNhwc(string input, long last) =>
        Node("Reshape", [Node("Transpose", [input], Ints("perm", 0, 2, 3, 1)), Int64Constant(1, -1, last)]);

    /// <summary>Marks weights the graph does not need (e.g. the exported graph's shape constants) as used on purpose.</summary>
    public void Ignore(Func<string, bool> unused)
    {
        foreach (var name in weights.Keys.Where(unused)) used.Add(name);
    }

    /// <summary>A separable convolution: depthwise <c>{prefix}/depthwise_filter</c>, pointwise <c>{prefix}/pointwise_filter</c> and <c>{prefix}/bias</c>.</summary>
    public string SeparableConv(string input, string prefix, int stride = 1) =>
        Conv(DepthwiseConv(input, $"{prefix}/depthwise_filter", null, stride), $"{prefix}/pointwise_filter", $"{prefix}/bias");

    /// <summary>x·W + b of a rank-2 value with the TF.js weights <c>[in, out]</c> and bias <c>[out]</c> (ONNX Gemm).</summary>
    public string FullyConnected(string input, string weightsName, string biasName)
    {
        var shape = Shape(weightsName);
        if (shape.Length != 2) throw new MarginFaceException($"{Source}: weight '{weightsName}' has rank {shape.Length}, expected 2");
        return Node("Gemm", [input, Constant(Values(weightsName, shape), shape, weightsName), Constant(Values(biasName, shape[1]), [shape[1]], biasName)]);
    }

    /// <summary>max(x, 0).</summary>
    public string Relu(string input) => Node("Relu", [input]);

    /// <summary>a + b (elementwise).</summary>
    public string Add(string a, string b) => Node("Add", [a, b]);

    /// <summary>Max pooling of a <paramref name="size"/>² window; <paramref name="same"/>: TensorFlow's <c>same</c> (padding never wins the max).</summary>
    public string MaxPool(string input, int size, int stride, bool same = true) =>
        Node("MaxPool", [input], Ints("kernel_shape", size, size), Ints("strides", stride, stride), Padding(same));

    /// <summary>Average pooling of a <paramref name="size"/>² window, TensorFlow's <c>valid</c> padding (so no padded zeros are averaged).</summary>
    public string AveragePool(string input, int size, int stride) =>
        Node("AveragePool", [input], Ints("kernel_shape", size, size), Ints("strides", stride, stride), Padding(false));

    /// <summary>[N, C, 1, 1] → [N, C]: TF.js's <c>as2D(N, -1)</c> of a 1×1 map, whose NHWC and NCHW orders agree.</summary>
    public string Flatten(string input) => Node("Flatten", [input], Int("axis", 1));

    /// <summary>Softmax over the last axis: e^xᵢ / Σⱼ e^xⱼ.</summary>
    public string Softmax(string input) => Node("Softmax", [input], Int("axis", -1));

    /// <summary>Adds a node of <paramref name="op"/> with one output, returning the output's name.</summary>
    public string Node(string op, IReadOnlyList<string> inputs, params AttributeProto[] attributes)
    {
        var name = $"{op.ToLowerInvariant()}_{count++}";
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return name;
    }

    /// <summary>A float32 constant (initializer).</summary>
    public string Constant(float[] values, long[] dims, string? hint = null)
    {
        var name = $"{hint ?? "constant"}#{graph.Initializer.Count}";
        if (dims.Aggregate(1L, (a, b) => a * b) != values.Length) throw new InvalidOperationException($"{name}: {values.Length} values for dims [{string.Join(", ", dims)}]");
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        proto.Dims.AddRange(dims);
        graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>An int64 constant (shapes, pads, axes).</summary>
    public string Int64Constant(params long[] values)
    {
        var name = $"int64#{graph.Initializer.Count}";
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        proto.Dims.Add(values.Length);
        graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>An integer-list attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float attribute.</summary>
    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A string attribute.</summary>
    public static AttributeProto String(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>The serialised model (ONNX IR 8, opset <see cref="Opset"/>); every weight of the manifest must have been used.</summary>
    public byte[] ToBytes()
    {
        var unused = weights.Keys.Where(name => !used.Contains(name)).ToList();
        if (unused.Count > 0) throw new InvalidOperationException($"{Source}: weights not used by the graph: {string.Join(", ", unused.Take(5))}");
        var model = new ModelProto { IrVersion = 8, ProducerName = "MarginFace", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in Metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model.ToByteArray();
    }

    /// <summary>An ONNX Runtime session of the graph with <paramref name="threads"/> intra-op threads (0: ONNX Runtime chooses).</summary>
    public InferenceSession CreateSession(int threads = 0)
    {
        using var options = Runtime.OnnxSessionOptions.Create(threads);
        return new InferenceSession(ToBytes(), options);
    }

    private TfjsWeight Weight(string name, params long[] shape)
    {
        if (!weights.TryGetValue(name, out var weight)) throw new MarginFaceException($"{Source}: weight '{name}' is missing");
        if (shape.Length > 0 && (weight.Shape.Length != shape.Length || weight.Shape.Zip(shape).Any(p => p.Second >= 0 && p.First != p.Second)))
            throw new MarginFaceException($"{Source}: weight '{name}' has shape [{string.Join(", ", weight.Shape)}], expected [{string.Join(", ", shape)}]");
        used.Add(name);
        return weight;
    }

    private static AttributeProto Padding(bool same) => String("auto_pad", same ? "SAME_UPPER" : "VALID");

    private static ValueInfoProto Value(string name, long[] shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        foreach (var size in shape)
            tensor.Shape.Dim.Add(size >= 0 ? new TensorShapeProto.Types.Dimension { DimValue = size } : new TensorShapeProto.Types.Dimension { DimParam = $"d{tensor.Shape.Dim.Count}" });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    /// <summary>Permutes a dense row-major array of <paramref name="dims"/> by <paramref name="order"/> (output axis i = input axis order[i]).</summary>
    internal static float[] Transpose(float[] values, long[] dims, int[] order)
    {
        var rank = dims.Length;
        var outDims = order.Select(axis => dims[axis]).ToArray();
        var inStrides = new long[rank];
        for (int i = rank - 1, stride = 1; i >= 0; stride *= (int)dims[i], i--) inStrides[i] = stride;
        var result = new float[values.Length];
        var index = new long[rank];
        for (long o = 0; o < result.Length; o++)
        {
            long source = 0;
            for (int i = 0; i < rank; i++) source += index[i] * inStrides[order[i]];
            result[o] = values[source];
            for (int i = rank - 1; i >= 0; i--)
            {
                if (++index[i] < outDims[i]) break;
                index[i] = 0;
            }
        }
        return result;
    }
}
