using Microsoft.ML.OnnxRuntime;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// face-api's face-crop networks as ONNX graphs (<see cref="TfjsOnnxGraph"/>), each taking <see cref="InputName"/>
/// <c>[N, 3, 112, 112]</c> already normalised as face-api does ((RGB − mean) / 255, <see cref="FaceApiInput"/>):
/// <list type="bullet">
/// <item><see cref="FaceApiNet.Landmark68"/>: <c>FaceFeatureExtractor</c> (four <c>denseBlock4</c>, 112 → 7, average pool 7) + FC 256 → 136;</item>
/// <item><see cref="FaceApiNet.Landmark68Tiny"/>: <c>TinyFaceFeatureExtractor</c> (three <c>denseBlock3</c>, 112 → 14, average pool 14) + FC 128 → 136;</item>
/// <item><see cref="FaceApiNet.Expression"/>: <c>FaceFeatureExtractor</c> + FC 256 → 7 + softmax;</item>
/// <item><see cref="FaceApiNet.AgeGender"/>: <c>TinyXception(2)</c> (112 → 7, 512 channels), average pool 7, FC 512 → 1 (age) and FC 512 → 2 + softmax (male, female).</item>
/// </list>
/// A dense block: out₁ = relu(conv₀(x), stride 2), then each next input is relu(out₁ + … + outₖ) and outₖ₊₁ its separable conv;
/// the block's value is relu of the sum of all outputs. Outputs are named <see cref="LandmarksOutput"/>,
/// <see cref="ExpressionsOutput"/>, <see cref="AgeOutput"/> and <see cref="GenderOutput"/>.
/// </summary>
internal static class FaceApiGraphs
{
    public const int InputSize = 112;
    public const string InputName = "input";
    public const string LandmarksOutput = "landmarks";
    public const string ExpressionsOutput = "expressions";
    public const string AgeOutput = "age";
    public const string GenderOutput = "gender";

    /// <summary>The graph of <paramref name="net"/> with the weights of <paramref name="manifestPath"/>.</summary>
    public static TfjsOnnxGraph Build(FaceApiNet net, string manifestPath) => Build([(net, manifestPath)]);

    /// <summary>
    /// One graph of several networks that share the input (their weight names must differ, as those of
    /// <see cref="FaceApiNet.AgeGender"/> and <see cref="FaceApiNet.Expression"/> do): one session runs them all at once.
    /// </summary>
    public static TfjsOnnxGraph Build(IReadOnlyList<(FaceApiNet Net, string ManifestPath)> networks)
    {
        var weights = networks.SelectMany(n => TfjsWeightManifest.Read(n.ManifestPath)).ToList();
        var graph = new TfjsOnnxGraph(weights, string.Join(" + ", networks.Select(n => n.ManifestPath)));
        var input = graph.Input(InputName, -1, 3, InputSize, InputSize);
        foreach (var (net, _) in networks) Add(graph, net, input);
        return graph;
    }

    /// <summary>
    /// An ONNX Runtime session of <paramref name="networks"/> (one graph, <see cref="Build(IReadOnlyList{ValueTuple{FaceApiNet, string}})"/>)
    /// with <paramref name="threads"/> intra-op threads (0: all cores); a manifest that does not hold a network's weights is a
    /// one-line <see cref="MarginFaceException"/>.
    /// </summary>
    public static InferenceSession CreateSession(int threads, params (FaceApiNet Net, string ManifestPath)[] networks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        var graph = Build(networks);
        try
        {
            return graph.CreateSession(threads);
        }
        catch (InvalidOperationException e)
        {
            throw new MarginFaceException(e.Message.ReplaceLineEndings(" "), e);
        }
        catch (OnnxRuntimeException e)
        {
            throw new MarginFaceException($"{graph.Source}: ONNX Runtime refused the graph built from it ({e.Message.ReplaceLineEndings(" ").Trim()})", e);
        }
    }

    /// <summary>An ONNX Runtime session of <paramref name="net"/> alone.</summary>
    public static InferenceSession CreateSession(FaceApiNet net, string manifestPath, int threads) => CreateSession(threads, (net, manifestPath));

    /// <summary>Adds <paramref name="net"/> on <paramref name="input"/> with its named outputs.</summary>
    private static void Add(TfjsOnnxGraph graph, FaceApiNet net, string input)
    {
        switch (net)
        {
            case FaceApiNet.Landmark68:
                graph.Output(graph.FullyConnected(FeatureExtractor(graph, input, blocks: 4), "fc/weights", "fc/bias"), LandmarksOutput);
                break;
            case FaceApiNet.Landmark68Tiny:
                graph.Output(graph.FullyConnected(FeatureExtractor(graph, input, blocks: 3), "fc/weights", "fc/bias"), LandmarksOutput);
                break;
            case FaceApiNet.Expression:
                graph.Output(graph.Softmax(graph.FullyConnected(FeatureExtractor(graph, input, blocks: 4), "fc/weights", "fc/bias")), ExpressionsOutput);
                break;
            case FaceApiNet.AgeGender:
                var pooled = graph.Flatten(graph.AveragePool(TinyXception(graph, input, mainBlocks: 2), 7, 2));
                graph.Output(graph.FullyConnected(pooled, "fc/age/weights", "fc/age/bias"), AgeOutput);
                graph.Output(graph.Softmax(graph.FullyConnected(pooled, "fc/gender/weights", "fc/gender/bias")), GenderOutput);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(net), net, "not a face-crop network");
        }
    }

    /// <summary>Runs <paramref name="session"/> on <paramref name="batch"/> inputs <c>[batch, 3, 112, 112]</c>; the values of each named output.</summary>
    public static float[][] Run(InferenceSession session, float[] input, int batch, params string[] outputs)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, [batch, 3, InputSize, InputSize]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [InputName], [value], outputs);
        return results.Select(result => result.GetTensorDataAsSpan<float>().ToArray()).ToArray();
    }

    /// <summary>
    /// face-api's <c>FaceFeatureExtractor</c> (4 blocks of 4 convolutions, average pool 7) or <c>TinyFaceFeatureExtractor</c>
    /// (3 blocks of 3, average pool 14), flattened to <c>[N, C]</c>.
    /// </summary>
    private static string FeatureExtractor(TfjsOnnxGraph graph, string input, int blocks)
    {
        var x = input;
        for (var block = 0; block < blocks; block++) x = DenseBlock(graph, x, $"dense{block}", convolutions: blocks, first: block == 0);
        var size = InputSize >> blocks;
        return graph.Flatten(graph.AveragePool(x, size, 2));
    }

    /// <summary>
    /// <c>denseBlock3</c>/<c>denseBlock4</c>: out₁ = relu(conv0(x)) at stride 2 (a plain convolution in the first block, else a
    /// separable one); outₖ₊₁ = sepconvₖ(relu(out₁ + … + outₖ)); the block returns relu(out₁ + … + outₙ).
    /// </summary>
    private static string DenseBlock(TfjsOnnxGraph graph, string x, string prefix, int convolutions, bool first)
    {
        var out1 = graph.Relu(first
            ? graph.Conv(x, $"{prefix}/conv0/filters", $"{prefix}/conv0/bias", stride: 2)
            : graph.SeparableConv(x, $"{prefix}/conv0", stride: 2));
        var sum = out1;
        var next = out1;
        for (var k = 1; k < convolutions; k++)
        {
            var output = graph.SeparableConv(next, $"{prefix}/conv{k}");
            sum = graph.Add(sum, output);
            next = graph.Relu(sum);
        }
        return next;
    }

    /// <summary>face-api's <c>TinyXception</c>: relu(conv_in, stride 2), two reduction blocks, main blocks, a reduction block, relu(sepconv).</summary>
    private static string TinyXception(TfjsOnnxGraph graph, string input, int mainBlocks)
    {
        var x = graph.Relu(graph.Conv(input, "entry_flow/conv_in/filters", "entry_flow/conv_in/bias", stride: 2));
        x = ReductionBlock(graph, x, "entry_flow/reduction_block_0", activateInput: false);
        x = ReductionBlock(graph, x, "entry_flow/reduction_block_1", activateInput: true);
        for (var i = 0; i < mainBlocks; i++)
        {
            var prefix = $"middle_flow/main_block_{i}";
            var y = graph.SeparableConv(graph.Relu(x), $"{prefix}/separable_conv0");
            y = graph.SeparableConv(graph.Relu(y), $"{prefix}/separable_conv1");
            y = graph.SeparableConv(graph.Relu(y), $"{prefix}/separable_conv2");
            x = graph.Add(y, x);
        }
        x = ReductionBlock(graph, x, "exit_flow/reduction_block", activateInput: true);
        return graph.Relu(graph.SeparableConv(x, "exit_flow/separable_conv"));
    }

    /// <summary>maxpool₃ₓ₃,₂(sepconv₁(relu(sepconv₀(relu?(x))))) + conv₁ₓ₁,₂(x): the residual branch sees x before the activation.</summary>
    private static string ReductionBlock(TfjsOnnxGraph graph, string x, string prefix, bool activateInput)
    {
        var y = graph.SeparableConv(activateInput ? graph.Relu(x) : x, $"{prefix}/separable_conv0");
        y = graph.SeparableConv(graph.Relu(y), $"{prefix}/separable_conv1");
        y = graph.MaxPool(y, 3, 2);
        return graph.Add(y, graph.Conv(x, $"{prefix}/expansion_conv/filters", $"{prefix}/expansion_conv/bias", stride: 2));
    }
}
