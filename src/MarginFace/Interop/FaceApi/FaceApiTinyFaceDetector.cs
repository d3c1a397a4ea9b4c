using Microsoft.ML.OnnxRuntime;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// face-api's tiny face detector (<c>tiny_face_detector_model</c>, a Tiny-YOLO-v2 with separable convolutions) as an ONNX
/// Runtime graph built from its TF.js weights. Input <c>[1, 3, N, N]</c> (N a multiple of 32, face-api's default 416) as
/// (x − mean RGB (117.001, 114.697, 97.404)) / 255. Body: conv 3×3 <c>valid</c> + bias, leaky ReLU (α = 0.1), max-pool 2/2;
/// separable convs 1–5 (3×3 depthwise on a 1-pixel zero border, 1×1 pointwise + bias, leaky), each followed by max-pool 2/2
/// except the last, pooled 2/1 (TF <c>same</c>); conv 1×1 → <c>[5 anchors × (tx, ty, tw, th, to)]</c> on an N/32 grid.
/// Decode (<c>TinyYolov2.extractBoxes</c>): score = σ(to); centre = ((col + σ(tx)) / cells, (row + σ(ty)) / cells);
/// size = (e^tw · anchor_w / cells, e^th · anchor_h / cells); both scaled by face-api's correction factors. Then face-api's
/// NMS (IoU &gt; 0.4 dropped).
/// </summary>
internal sealed class FaceApiTinyFaceDetector : IDisposable
{
    /// <summary>face-api's default input side.</summary>
    public const int DefaultInputSize = 416;

    /// <summary>face-api's IoU threshold for this detector.</summary>
    public const float IouThreshold = 0.4f;

    /// <summary>The per-channel mean subtracted before dividing by 255.</summary>
    public static readonly float[] MeanRgb = [117.001f, 114.697f, 97.404f];

    private static readonly (float Width, float Height)[] AnchorSizes =
        [(1.603231f, 2.094468f), (6.041143f, 7.080126f), (2.882459f, 3.518061f), (4.266906f, 5.178857f), (9.041765f, 10.66308f)];

    private readonly InferenceSession session;

    /// <param name="manifestPath">The weights manifest (<c>tiny_face_detector_model-weights_manifest.json</c>).</param>
    /// <param name="threads">ONNX Runtime intra-op threads (0: ONNX Runtime chooses).</param>
    public FaceApiTinyFaceDetector(string manifestPath, int threads = 0)
    {
        var graph = new TfjsOnnxGraph(TfjsWeightManifest.Read(manifestPath), manifestPath);
        var x = graph.Input("input", 1, 3, -1, -1);
        x = graph.MaxPool(graph.LeakyRelu(graph.Conv(x, "conv0/filters", "conv0/bias", same: false), 0.1f), 2, 2);
        for (int i = 1; i <= 5; i++)
            x = graph.MaxPool(graph.LeakyRelu(graph.SeparableConv(x, $"conv{i}"), 0.1f), 2, i < 5 ? 2 : 1);
        graph.Output(graph.Conv(x, "conv8/filters", "conv8/bias", same: false), "output");
        session = graph.CreateSession(threads);
    }

    /// <summary>
    /// Boxes of a preprocessed input <c>[1, 3, size, size]</c>, in 0..1 of the input multiplied by the correction factors
    /// (<paramref name="correctX"/>, <paramref name="correctY"/>) as face-api does, after its NMS, best score first.
    /// </summary>
    public List<FaceApiBox> Detect(float[] input, int size, float scoreThreshold, float iouThreshold, double correctX, double correctY)
    {
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [1, 3, size, size]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input"], [inputValue], ["output"]);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        int cells = (int)shape[2], area = cells * cells;
        var output = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var boxes = new List<FaceApiBox>();
        for (int row = 0; row < cells; row++)
            for (int col = 0; col < cells; col++)
                for (int anchor = 0; anchor < AnchorSizes.Length; anchor++)
                {
                    float At(int k) => output[(anchor * 5 + k) * area + row * cells + col];
                    var score = Sigmoid(At(4));
                    if (!(score > scoreThreshold)) continue;
                    var centreX = (col + Sigmoid(At(0))) / cells * correctX;
                    var centreY = (row + Sigmoid(At(1))) / cells * correctY;
                    var width = Math.Exp(At(2)) * AnchorSizes[anchor].Width / cells * correctX;
                    var height = Math.Exp(At(3)) * AnchorSizes[anchor].Height / cells * correctY;
                    double left = centreX - width / 2, top = centreY - height / 2;
                    boxes.Add(new FaceApiBox((float)left, (float)top, (float)(left + width), (float)(top + height), (float)score));
                }
        return Suppress(boxes, iouThreshold);
    }

    /// <summary>Closes the ONNX Runtime session.</summary>
    public void Dispose() => session.Dispose();

    /// <summary>
    /// face-api's <c>ops.nonMaxSuppression</c>: sort ascending by score (stable), repeatedly take the last, drop the rest whose
    /// IoU with it exceeds <paramref name="iouThreshold"/>.
    /// </summary>
    internal static List<FaceApiBox> Suppress(List<FaceApiBox> boxes, float iouThreshold)
    {
        var remaining = boxes.Select((box, index) => (box, index)).OrderBy(b => b.box.Score).ThenBy(b => b.index).Select(b => b.box).ToList();
        var picked = new List<FaceApiBox>();
        while (remaining.Count > 0)
        {
            var current = remaining[^1];
            remaining.RemoveAt(remaining.Count - 1);
            picked.Add(current);
            remaining = remaining.Where(other => IntersectionOverUnion(current, other) <= iouThreshold).ToList();
        }
        return picked;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double IntersectionOverUnion(FaceApiBox a, FaceApiBox b)
    {
        double width = Math.Max(0, Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left));
        double height = Math.Max(0, Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top));
        var intersection = width * height;
        return intersection / ((a.Right - a.Left) * (a.Bottom - a.Top) + (b.Right - b.Left) * (b.Bottom - b.Top) - intersection);
    }
}
