using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using TorchSharp.Modules;
using TorchSharp;
using MarginFace.Interop.FaceApi;
using MarginFace.Models;
using static TorchSharp.torch;

namespace MarginFace.Interop.Onnx;

/// <summary>
/// Builds an ONNX graph from a module tree in eval semantics, one rule per module type: convolutions, batch norms
/// (BatchNormalization nodes with the running statistics), PReLU (slopes reshaped to [C,1,1] on feature maps), Linear as
/// Gemm (transB = 1), Flatten, MaxPool, Dropout as identity, and the residual blocks as Add. Initializers take the module's
/// state_dict key names.
/// </summary>
internal sealed partial class OnnxGraphBuilder
{
    private readonly GraphProto graph;
    private readonly Dictionary<Tensor, string> keyByTensor = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> initializerNames = [];
    private int nodeCount;

    public OnnxGraphBuilder(GraphProto graph, nn.Module root)
    {
        this.graph = graph;
        foreach (var (name, parameter) in root.named_parameters()) keyByTensor.TryAdd(parameter, name);
        foreach (var (name, buffer) in root.named_buffers()) keyByTensor.TryAdd(buffer, name);
    }

    /// <summary>Emits <paramref name="module"/> applied to the value <paramref name="input"/> of rank <paramref name="rank"/>.</summary>
    public (string Name, int Rank) Emit(nn.Module<Tensor, Tensor> module, string input, int rank)
    {
        switch (module)
        {
            case ILayerChain chain:
                return EmitChain(chain.Chain, input, rank);
            case Sequential sequential:
                return EmitChain(sequential.children().Cast<nn.Module<Tensor, Tensor>>().ToList(), input, rank);
            case DepthWiseBlock block:
            {
                var branch = Emit(block.Layers, input, rank);
                return block.Residual ? (Node("Add", [branch.Name, input]), rank) : branch;
            }
            case IBasicBlock block:
            {
                var branch = EmitChain(block.Branch, input, rank);
                var shortcut = block.Downsample is null ? input : Emit(block.Downsample, input, rank).Name;
                return (Node("Add", [branch.Name, shortcut]), rank);
            }
            case FaceApiResNet network:
                return EmitFaceApi(network, input);
            case IResNet network:
            {
                var map = EmitChain(network.Body, input, rank);
                var flat = Node("Flatten", [map.Name], Attribute("axis", 1));
                return EmitChain(network.Head, flat, 2);
            }
            case Conv2d conv:
                return (EmitConv(conv, input), rank);
            case BatchNorm2d norm:
                return (EmitBatchNorm(norm.weight, norm.bias, norm.running_mean, norm.running_var, norm.eps, input), rank);
            case BatchNorm1d norm:
                return (EmitBatchNorm(norm.weight, norm.bias, norm.running_mean, norm.running_var, norm.eps, input), rank);
            case PReLU prelu:
            {
                var channels = prelu.weight.shape[0];
                long[] slopeShape = rank > 2 && channels > 1 ? [channels, .. Enumerable.Repeat(1L, rank - 2)] : [channels];
                return (Node("PRelu", [input, Initializer(prelu.weight, slopeShape)]), rank);
            }
            case Linear linear:
            {
                if (rank != 2) throw new NotSupportedException($"ONNX export: Linear on a rank-{rank} value");
                List<string> inputs = [input, Initializer(linear.weight)];
                if (linear.bias is not null) inputs.Add(Initializer(linear.bias));
                return (Node("Gemm", inputs, Attribute("transB", 1)), 2);
            }
            case Flatten flatten:
            {
                if (flatten.start_dim != 1 || (flatten.end_dim != -1 && flatten.end_dim != rank - 1))
                    throw new NotSupportedException($"ONNX export: Flatten({flatten.start_dim}, {flatten.end_dim})");
                return (Node("Flatten", [input], Attribute("axis", 1)), 2);
            }
            case Dropout:
                return (input, rank);
            case MaxPool2d pool:
                return (EmitMaxPool(pool, input), rank);
            default:
                throw new NotSupportedException($"ONNX export has no rule for the module type {module.GetType().Name}");
        }
    }

    private (string Name, int Rank) EmitChain(IEnumerable<nn.Module<Tensor, Tensor>> chain, string input, int rank)
    {
        var value = (input, rank);
        foreach (var layer in chain) value = Emit(layer, value.input, value.rank);
        return value;
    }

    private string EmitConv(Conv2d conv, string input)
    {
        if (conv.padding is null || conv.padding_mode != PaddingModes.Zeros)
            throw new NotSupportedException("ONNX export: only explicit zero padding is supported for Conv2d");
        var padding = conv.padding;
        List<string> inputs = [input, Initializer(conv.weight)];
        if (conv.bias is not null) inputs.Add(Initializer(conv.bias));
        return Node("Conv", inputs,
            Attribute("kernel_shape", conv.kernel_size),
            Attribute("strides", conv.stride),
            Attribute("pads", [padding[0], padding[1], padding[0], padding[1]]),
            Attribute("dilations", conv.dilation),
            Attribute("group", conv.groups));
    }

    private string EmitBatchNorm(Tensor? weight, Tensor? bias, Tensor? mean, Tensor? variance, double eps, string input)
    {
        if (weight is null || bias is null || mean is null || variance is null)
            throw new NotSupportedException("ONNX export: batch norm without affine parameters or running statistics");
        return Node("BatchNormalization",
            [input, Initializer(weight), Initializer(bias), Initializer(mean), Initializer(variance)],
            Attribute("epsilon", (float)eps));
    }

    private string EmitMaxPool(MaxPool2d pool, string input)
    {
        var kernel = pool.kernel_size;
        var stride = pool.stride ?? kernel;
        var padding = pool.padding ?? [0, 0];
        if (pool.dilation is { } dilation && dilation.Any(d => d != 1))
            throw new NotSupportedException("ONNX export: dilated max pooling");
        return Node("MaxPool", [input],
            Attribute("kernel_shape", kernel),
            Attribute("strides", stride),
            Attribute("pads", [padding[0], padding[1], padding[0], padding[1]]),
            Attribute("ceil_mode", pool.ceil_mode ? 1 : 0));
    }

    private string Node(string op, IReadOnlyList<string> inputs, params AttributeProto[] attributes)
    {
        var name = $"{op.ToLowerInvariant()}_{nodeCount++}";
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return name;
    }

    /// <summary>Adds <paramref name="tensor"/> (float32) as an initializer, optionally with other dims of the same size.</summary>
    private string Initializer(Tensor tensor, long[]? dims = null)
    {
        var key = keyByTensor.TryGetValue(tensor, out var k) ? k : $"tensor_{graph.Initializer.Count}";
        var name = dims is null ? key : $"{key}.reshaped";
        if (!initializerNames.Add(name)) return name;
        using var values = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
        var data = values.data<float>().ToArray();
        var proto = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan())),
        };
        proto.Dims.AddRange(dims ?? tensor.shape);
        if (proto.Dims.Aggregate(1L, (a, b) => a * b) != data.Length)
            throw new InvalidOperationException($"ONNX export: {name} reshaped to a different size");
        graph.Initializer.Add(proto);
        return name;
    }

    private static AttributeProto Attribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Attribute(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static AttributeProto Attribute(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
