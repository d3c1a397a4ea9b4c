using Microsoft.ML.OnnxRuntime;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// face-api's SSD MobileNet V1 face detector (<c>ssd_mobilenetv1_model</c>) as an ONNX Runtime graph built from its TF.js
/// weights. Input <c>[1, 3, 512, 512]</c>, x/127.5 − 1. Body: conv 3×3/2 (+ bias, ReLU6), then 13 pairs of depthwise 3×3
/// (stride 2 at pairs 2, 4, 6, 12; batch norm ε = 0.001 folded, ReLU6) and pointwise 1×1 (+ bias, ReLU6). Head: eight more
/// pointwise convs (stride 2 at 1, 3, 5, 7) and six box predictors on pair 11 (32², 3 anchors), the body's output (16², 6) and
/// head convs 1, 3, 5, 7 (8², 4², 2², 1², 6 each): 5118 anchors, each with a box encoding (4) and class logits (3).
/// Decode (face-api's <c>outputLayer</c>, anchors <c>Output/extra_dim</c> as corners [y0, x0, y1, x1]): centre = anchor centre +
/// (t/10) · anchor size, size = e^(t/5) · anchor size; score = sigmoid(logit 1). Then face-api's NMS: candidates with score
/// &gt; threshold, best first, dropped when their IoU with a kept one exceeds the IoU threshold, at most <c>maxResults</c>.
/// </summary>
internal sealed class FaceApiSsdMobileNetV1 : IDisposable
{
    /// <summary>The network's input side (its anchors are laid out for it).</summary>
    public const int InputSize = 512;

    private const float Epsilon = 0.0010000000474974513f;
    private const int Anchors = 5118;
    private static readonly int[] StrideTwoPairs = [2, 4, 6, 12];
    private readonly InferenceSession session;
    private readonly float[] anchors;

    /// <param name="manifestPath">The weights manifest (<c>ssd_mobilenetv1_model-weights_manifest.json</c>).</param>
    /// <param name="threads">ONNX Runtime intra-op threads (0: ONNX Runtime chooses).</param>
    public FaceApiSsdMobileNetV1(string manifestPath, int threads = 0)
    {
        var graph = new TfjsOnnxGraph(TfjsWeightManifest.Read(manifestPath), manifestPath);
        anchors = graph.Values("Output/extra_dim", 1, Anchors, 4);
        var x = graph.Input("input", 1, 3, InputSize, InputSize);
        string PointwiseReLU6(string input, string prefix, int stride) =>
            graph.Clip(graph.Conv(input, $"{prefix}/weights", $"{prefix}/convolution_bn_offset", stride), 0, 6);
        var output = PointwiseReLU6(x, "MobilenetV1/Conv2d_0_pointwise", 2);
        string? conv11 = null;
        for (int pair = 1; pair <= 13; pair++)
        {
            var depthwise = $"MobilenetV1/Conv2d_{pair}_depthwise";
            output = graph.Clip(graph.DepthwiseConvBatchNorm(output, $"{depthwise}/depthwise_weights", $"{depthwise}/BatchNorm", Epsilon,
                StrideTwoPairs.Contains(pair) ? 2 : 1), 0, 6);
            output = PointwiseReLU6(output, $"MobilenetV1/Conv2d_{pair}_pointwise", 1);
            if (pair == 11) conv11 = output;
        }
        var head = new string[8];
        var previous = output;
        for (int i = 0; i < 8; i++) previous = head[i] = PointwiseReLU6(previous, $"Prediction/Conv2d_{i}_pointwise", i % 2 == 1 ? 2 : 1);
        string[] sources = [conv11!, output, head[1], head[3], head[5], head[7]];
        var boxes = new List<string>();
        var classes = new List<string>();
        for (int i = 0; i < sources.Length; i++)
        {
            var predictor = $"Prediction/BoxPredictor_{i}";
            boxes.Add(graph.FlattenNhwc(graph.Conv(sources[i], $"{predictor}/BoxEncodingPredictor/weights", $"{predictor}/BoxEncodingPredictor/biases"), 4));
            classes.Add(graph.FlattenNhwc(graph.Conv(sources[i], $"{predictor}/ClassPredictor/weights", $"{predictor}/ClassPredictor/biases"), 3));
        }
        graph.Output(graph.Node("Concat", boxes, TfjsOnnxGraph.Int("axis", 1)), "boxes");
        graph.Output(graph.Node("Concat", classes, TfjsOnnxGraph.Int("axis", 1)), "classes");
        // The exported graph's pre/post-processing constants (sizes, axes, slices): face-api does those steps in code.
        graph.Ignore(name => name.StartsWith("Preprocessor/", StringComparison.Ordinal) || name.StartsWith("Postprocessor/", StringComparison.Ordinal)
            || name.Contains("/stack", StringComparison.Ordinal) || name.Contains("/strided_slice", StringComparison.Ordinal) || name == "concat_1/axis");
        session = graph.CreateSession(threads);
    }

    /// <summary>
    /// Boxes of a preprocessed input <c>[1, 3, 512, 512]</c> (x/127.5 − 1) as corners in 0..1 of the input (not clamped), after
    /// face-api's NMS with <paramref name="iouThreshold"/>, best score first.
    /// </summary>
    public List<FaceApiBox> Detect(float[] input, float scoreThreshold, float iouThreshold, int maxResults)
    {
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [1, 3, InputSize, InputSize]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input"], [inputValue], ["boxes", "classes"]);
        var encodings = outputs[0].GetTensorDataAsSpan<float>();
        var logits = outputs[1].GetTensorDataAsSpan<float>();
        var candidates = new List<(int Index, float Score)>();
        for (int i = 0; i < Anchors; i++)
        {
            var score = 1f / (1f + MathF.Exp(-logits[3 * i + 1]));
            if (score > scoreThreshold) candidates.Add((i, score));
        }
        // JavaScript's sort is stable: equal scores keep anchor order.
        var sorted = candidates.Select((c, order) => (c.Index, c.Score, order)).OrderByDescending(c => c.Score).ThenBy(c => c.order).ToList();
        var kept = new List<FaceApiBox>();
        foreach (var (index, score, _) in sorted)
        {
            if (kept.Count >= maxResults) break;
            var box = Decode(encodings.Slice(4 * index, 4), index, score);
            var suppressed = false;
            for (int j = kept.Count - 1; j >= 0 && !suppressed; j--)
                suppressed = IntersectionOverUnion(box, kept[j]) > iouThreshold;
            if (!suppressed) kept.Add(box);
        }
        return kept;
    }

    /// <summary>Closes the ONNX Runtime session.</summary>
    public void Dispose() => session.Dispose();

    private FaceApiBox Decode(ReadOnlySpan<float> t, int index, float score)
    {
        var a = anchors.AsSpan(4 * index, 4);
        float sizeY = a[2] - a[0], sizeX = a[3] - a[1];
        float centreY = a[0] + sizeY / 2, centreX = a[1] + sizeX / 2;
        float halfY = MathF.Exp(t[2] / 5) * sizeY / 2, halfX = MathF.Exp(t[3] / 5) * sizeX / 2;
        float y = t[0] / 10 * sizeY + centreY, x = t[1] / 10 * sizeX + centreX;
        return new FaceApiBox(x - halfX, y - halfY, x + halfX, y + halfY, score);
    }

    /// <summary>face-api's SSD IoU: corners sorted per axis; 0 when either box is empty.</summary>
    internal static float IntersectionOverUnion(FaceApiBox a, FaceApiBox b)
    {
        float aTop = Math.Min(a.Top, a.Bottom), aLeft = Math.Min(a.Left, a.Right), aBottom = Math.Max(a.Top, a.Bottom), aRight = Math.Max(a.Left, a.Right);
        float bTop = Math.Min(b.Top, b.Bottom), bLeft = Math.Min(b.Left, b.Right), bBottom = Math.Max(b.Top, b.Bottom), bRight = Math.Max(b.Left, b.Right);
        var areaA = (aBottom - aTop) * (aRight - aLeft);
        var areaB = (bBottom - bTop) * (bRight - bLeft);
        if (areaA <= 0 || areaB <= 0) return 0;
        var intersection = Math.Max(Math.Min(aBottom, bBottom) - Math.Max(aTop, bTop), 0) * Math.Max(Math.Min(aRight, bRight) - Math.Max(aLeft, bLeft), 0);
        return intersection / (areaA + areaB - intersection);
    }
}
