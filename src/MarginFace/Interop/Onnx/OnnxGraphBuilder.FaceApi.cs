using Onnx;
using MarginFace.Interop.FaceApi;

namespace MarginFace.Interop.Onnx;

/// <summary>
/// The ONNX rules of face-api's ResNet (<see cref="FaceApiResNet"/>): a scaled convolution is Conv → Mul γ → Add β (γ, β as
/// [C,1,1]); a unit is Relu(branch + shortcut), the down unit's shortcut AveragePool 2×2/2 with zero channels appended by Pad,
/// and its branch padded by a zero row and column (Pad) where the spatial sizes, known from the graph's fixed input size,
/// leave it one smaller; the head is ReduceMean over H, W then Gemm.
/// </summary>
internal sealed partial class OnnxGraphBuilder
{
    private (string Name, int Rank) EmitFaceApi(FaceApiResNet network, string input)
    {
        var dims = graph.Input[0].Type.TensorType.Shape.Dim;
        long height = dims[2].DimValue, width = dims[3].DimValue;
        if (height < 1 || width < 1) throw new NotSupportedException("ONNX export: face-api's ResNet needs a fixed input size");

        var x = Node("Relu", [EmitScaledConv(network.Stem, input)]);
        (height, width) = (Valid(height, 7, 2), Valid(width, 7, 2));
        x = Node("MaxPool", [x], Attribute("kernel_shape", [3L, 3L]), Attribute("strides", [2L, 2L]), Attribute("pads", [0L, 0L, 0L, 0L]));
        (height, width) = (Valid(height, 3, 2), Valid(width, 3, 2));
        foreach (var unit in network.Units)
        {
            var branch = EmitScaledConv(unit.Second, Node("Relu", [EmitScaledConv(unit.First, x)]));
            var shortcut = x;
            if (unit.Down)
            {
                shortcut = Node("AveragePool", [x], Attribute("kernel_shape", [2L, 2L]), Attribute("strides", [2L, 2L]));
                long branchHeight = Valid(height, 3, 2), branchWidth = Valid(width, 3, 2);
                (height, width) = (height / 2, width / 2);
                if (branchHeight != height || branchWidth != width)
                    branch = Node("Pad", [branch, Int64s([0, 0, 0, 0, 0, 0, 1, 1])]);
                var inChannels = unit.First.Conv.in_channels;
                var outChannels = unit.Second.Conv.out_channels;
                if (outChannels != inChannels)
                    shortcut = Node("Pad", [shortcut, Int64s([0, 0, 0, 0, 0, outChannels - inChannels, 0, 0])]);
            }
            x = Node("Relu", [Node("Add", [branch, shortcut])]);
        }
        var pooled = Node("ReduceMean", [x], Attribute("axes", [2L, 3L]), Attribute("keepdims", 0));
        return Emit(network.Head, pooled, 2);
    }

    private string EmitScaledConv(ScaledConv layer, string input)
    {
        var channels = layer.Scale.shape[0];
        var convolved = EmitConv(layer.Conv, input);
        var scaled = Node("Mul", [convolved, Initializer(layer.Scale, [channels, 1, 1])]);
        return Node("Add", [scaled, Initializer(layer.Shift, [channels, 1, 1])]);
    }

    private static long Valid(long size, long kernel, long stride) => (size - kernel) / stride + 1;

    /// <summary>A constant int64 vector (Pad's pads: begins of N, C, H, W, then ends).</summary>
    private string Int64s(long[] values)
    {
        var name = $"pads_{graph.Initializer.Count}";
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        graph.Initializer.Add(proto);
        return name;
    }
}
