namespace MarginFace.Interop.FaceApi;

/// <summary>
/// face-api's recognition network (<see cref="FaceApiResNet"/>, dlib's ResNet-29) as an ONNX graph built straight from its TF.js
/// weights, so that the pretrained model embeds on ONNX Runtime without libtorch. Each scaled convolution
/// y = (W∗x + b)·γ + β is folded into one convolution with weights γW and bias γb + β. The down unit's branch (3×3/2 valid)
/// of an odd input comes out one smaller than its 2×2/2 average-pooled shortcut and gets a zero row and column (Pad), and the
/// shortcut gets zero channels when the width doubles, as <see cref="FaceApiResidual"/> does. Input [N, 3, 150, 150] normalised
/// by <see cref="FaceApiResNet.Normalize"/>'s rule, output <c>embedding</c> [N, 128].
/// </summary>
internal static class FaceApiRecognitionGraph
{
    /// <summary>The graph's input name.</summary>
    public const string InputName = "input";

    /// <summary>The graph's output name.</summary>
    public const string OutputName = "embedding";

    private static readonly (string Name, long In, long Out, bool Down)[] Units =
    [
        ("conv32_1", 32, 32, false), ("conv32_2", 32, 32, false), ("conv32_3", 32, 32, false),
        ("conv64_down", 32, 64, true), ("conv64_1", 64, 64, false), ("conv64_2", 64, 64, false), ("conv64_3", 64, 64, false),
        ("conv128_down", 64, 128, true), ("conv128_1", 128, 128, false), ("conv128_2", 128, 128, false),
        ("conv256_down", 128, 256, true), ("conv256_1", 256, 256, false), ("conv256_2", 256, 256, false),
        ("conv256_down_out", 256, 256, true),
    ];

    /// <summary>Adds the network to <paramref name="graph"/> (whose weights are the recognition manifest's) and marks its output.</summary>
    public static void Build(TfjsOnnxGraph graph)
    {
        const long size = FaceApiResNet.InputSize;
        var x = graph.Input(InputName, -1, 3, size, size);
        x = graph.Node("Relu", [ScaledConv(graph, x, "conv32_down", 3, 32, 7, 2)]);
        long side = (size - 7) / 2 + 1;
        x = graph.Node("MaxPool", [x], TfjsOnnxGraph.Ints("kernel_shape", 3, 3), TfjsOnnxGraph.Ints("strides", 2, 2), TfjsOnnxGraph.Ints("pads", 0, 0, 0, 0));
        side = (side - 3) / 2 + 1;
        foreach (var (name, inChannels, outChannels, down) in Units)
        {
            var branch = ScaledConv(graph, graph.Node("Relu", [ScaledConv(graph, x, $"{name}/conv1", inChannels, outChannels, 3, down ? 2 : 1)]),
                $"{name}/conv2", outChannels, outChannels, 3, 1);
            var shortcut = x;
            if (down)
            {
                shortcut = graph.Node("AveragePool", [x], TfjsOnnxGraph.Ints("kernel_shape", 2, 2), TfjsOnnxGraph.Ints("strides", 2, 2));
                var branchSide = (side - 3) / 2 + 1;
                side /= 2;
                if (branchSide != side) branch = graph.Node("Pad", [branch, graph.Int64Constant(0, 0, 0, 0, 0, 0, side - branchSide, side - branchSide)]);
                if (outChannels != inChannels)
                    shortcut = graph.Node("Pad", [shortcut, graph.Int64Constant(0, 0, 0, 0, 0, outChannels - inChannels, 0, 0)]);
            }
            x = graph.Node("Relu", [graph.Node("Add", [branch, shortcut])]);
        }
        var pooled = graph.Node("ReduceMean", [x], TfjsOnnxGraph.Ints("axes", 2, 3), TfjsOnnxGraph.Int("keepdims", 0));
        var fc = graph.Values("fc", 256, FaceApiResNet.EmbeddingSize);
        graph.Output(graph.Node("MatMul", [pooled, graph.Constant(fc, [256, FaceApiResNet.EmbeddingSize], "fc")]), OutputName);
    }

    /// <summary>(W∗x + b)·γ + β folded: weights γW (OIHW), bias γb + β; padding 'same' at stride 1, 'valid' at stride 2.</summary>
    private static string ScaledConv(TfjsOnnxGraph graph, string input, string prefix, long inChannels, long outChannels, long kernel, int stride)
    {
        var filters = graph.Values($"{prefix}/conv/filters", kernel, kernel, inChannels, outChannels);
        var bias = graph.Values($"{prefix}/conv/bias", outChannels);
        var gamma = graph.Values($"{prefix}/scale/weights", outChannels);
        var beta = graph.Values($"{prefix}/scale/biases", outChannels);
        var weights = TfjsOnnxGraph.Transpose(filters, [kernel, kernel, inChannels, outChannels], [3, 2, 0, 1]);
        var perOutput = inChannels * kernel * kernel;
        for (long o = 0; o < outChannels; o++)
            for (long i = 0; i < perOutput; i++) weights[o * perOutput + i] *= gamma[o];
        var folded = new float[outChannels];
        for (long o = 0; o < outChannels; o++) folded[o] = bias[o] * gamma[o] + beta[o];
        var pad = stride == 1 ? kernel / 2 : 0;
        return graph.Node("Conv", [input, graph.Constant(weights, [outChannels, inChannels, kernel, kernel], prefix), graph.Constant(folded, [outChannels], prefix)],
            TfjsOnnxGraph.Ints("kernel_shape", kernel, kernel), TfjsOnnxGraph.Ints("strides", stride, stride), TfjsOnnxGraph.Ints("pads", pad, pad, pad, pad));
    }
}
