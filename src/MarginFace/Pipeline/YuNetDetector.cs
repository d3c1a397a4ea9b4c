using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using MarginFace.Imaging;

namespace MarginFace.Pipeline;

/// <summary>
/// Face detection with YuNet (Wu et al., "YuNet: A Tiny Millisecond-level Face Detector", Machine Intelligence Research 2023)
/// run by ONNX Runtime. The image is box-downscaled when its longer side exceeds <see cref="FaceDetectorOptions.MaxInputSide"/>,
/// zero-padded on the right and bottom to multiples of 32, and fed as BGR 0..255 floats <c>[1, 3, H, W]</c>. For every stride
/// s ∈ {8, 16, 32} and grid cell (row, col): score = √(clamp(cls, 0, 1) · clamp(obj, 0, 1)); centre = ((col + b₀) s, (row + b₁) s);
/// size = (e^b₂ s, e^b₃ s); landmark j = ((col + k₂ⱼ) s, (row + k₂ⱼ₊₁) s). Candidates above the score threshold go through
/// greedy non-maximum suppression; results are in the original image's coordinates, best score first.
/// The model file is found by <see cref="InferenceModels.Locate"/> (given path, <c>$MARGINFACE_MODELS</c>, beside the tool,
/// <c>shared/models</c> upward from the current directory). Thread-safe: one detector may serve many threads.
/// Used through <see cref="FaceDetector"/> with <see cref="FaceDetectorKind.YuNet"/>.
/// </summary>
internal sealed class YuNetDetector : IFaceDetectorBackend
{
    private static readonly int[] Strides = [8, 16, 32];
    private readonly InferenceSession session;
    private readonly string inputName;
    private readonly string[] outputNames;

    /// <param name="modelPath">The YuNet ONNX file (dynamic input size); null searches as <see cref="InferenceModels"/> describes.</param>
    /// <param name="options">Thresholds (resolved: none null), input size limit and threads.</param>
    public YuNetDetector(string? modelPath, FaceDetectorOptions options)
    {
        Options = options;
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxInputSide, 32, nameof(Options.MaxInputSide));
        ModelPath = InferenceModels.Locate(modelPath, InferenceModels.YuNet);
        using var sessionOptions = Runtime.OnnxSessionOptions.Create(Options.Threads);
        try
        {
            session = new InferenceSession(ModelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new MarginFaceException($"{ModelPath}: not a valid ONNX model ({FirstLine(e.Message)})", e);
        }
        outputNames = new[] { "cls", "obj", "bbox", "kps" }.SelectMany(kind => Strides.Select(s => $"{kind}_{s}")).ToArray();
        var missing = outputNames.Where(name => !session.OutputMetadata.ContainsKey(name)).ToList();
        if (session.InputMetadata.Count != 1 || missing.Count > 0)
        {
            session.Dispose();
            throw new MarginFaceException($"{ModelPath}: not a YuNet face detector (needs one input and outputs cls/obj/bbox/kps per stride; missing {string.Join(", ", missing)})");
        }
        inputName = session.InputMetadata.Keys.Single();
    }

    /// <inheritdoc/>
    public string ModelPath { get; }

    /// <summary>Thresholds and limits of detection.</summary>
    private FaceDetectorOptions Options { get; }

    /// <inheritdoc/>
    public IReadOnlyList<DetectedFace> Detect(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var scale = Math.Min(1.0, (double)Options.MaxInputSide / Math.Max(image.Width, image.Height));
        var width = Math.Max(1, (int)Math.Round(image.Width * scale));
        var height = Math.Max(1, (int)Math.Round(image.Height * scale));
        var paddedWidth = (width + 31) / 32 * 32;
        var paddedHeight = (height + 31) / 32 * 32;
        var input = ToBgrPlanes(image, width, height, paddedWidth, paddedHeight);
        // Scale factors back to the original image per axis (the rounding of width and height makes them differ slightly).
        float backX = (float)image.Width / width, backY = (float)image.Height / height;

        var scoreThreshold = Options.ScoreThreshold!.Value;
        var candidates = new List<DetectedFace>();
        using (var inputValue = OrtValue.CreateTensorValueFromMemory(input, [1, 3, paddedHeight, paddedWidth]))
        using (var runOptions = new RunOptions())
        using (var outputs = session.Run(runOptions, [inputName], [inputValue], outputNames))
        {
            for (int i = 0; i < Strides.Length; i++)
            {
                var stride = Strides[i];
                int columns = paddedWidth / stride, rows = paddedHeight / stride, cells = rows * columns;
                var cls = outputs[i].GetTensorDataAsSpan<float>();
                var obj = outputs[i + Strides.Length].GetTensorDataAsSpan<float>();
                var bbox = outputs[i + 2 * Strides.Length].GetTensorDataAsSpan<float>();
                var kps = outputs[i + 3 * Strides.Length].GetTensorDataAsSpan<float>();
                if (cls.Length != cells || obj.Length != cells || bbox.Length != 4 * cells || kps.Length != 10 * cells)
                    throw new MarginFaceException($"{ModelPath}: output sizes of stride {stride} do not match a {paddedWidth}×{paddedHeight} input (not a YuNet model?)");
                for (int row = 0, index = 0; row < rows; row++)
                    for (int column = 0; column < columns; column++, index++)
                    {
                        var score = MathF.Sqrt(Math.Clamp(cls[index], 0f, 1f) * Math.Clamp(obj[index], 0f, 1f));
                        if (score < scoreThreshold) continue;
                        var box = bbox.Slice(4 * index, 4);
                        float centreX = (column + box[0]) * stride, centreY = (row + box[1]) * stride;
                        float boxWidth = MathF.Exp(box[2]) * stride, boxHeight = MathF.Exp(box[3]) * stride;
                        var landmarks = new Vector2[5];
                        for (int j = 0; j < 5; j++)
                            landmarks[j] = new Vector2((column + kps[10 * index + 2 * j]) * stride * backX, (row + kps[10 * index + 2 * j + 1]) * stride * backY);
                        candidates.Add(new DetectedFace((centreX - boxWidth / 2) * backX, (centreY - boxHeight / 2) * backY,
                            boxWidth * backX, boxHeight * backY, score, landmarks));
                    }
            }
        }
        return NonMaximumSuppression.Apply(candidates, Options.NmsThreshold!.Value, Options.MaxCandidates!.Value);
    }

    /// <summary>Closes the ONNX Runtime session.</summary>
    public void Dispose() => session.Dispose();

    /// <summary>
    /// BGR planes of the image resized to <paramref name="width"/>×<paramref name="height"/> (box filter: each output pixel is
    /// the mean of the source pixels it covers; a copy when the size is unchanged), zero-padded to the padded size.
    /// </summary>
    internal static float[] ToBgrPlanes(RgbImage image, int width, int height, int paddedWidth, int paddedHeight)
    {
        var planeSize = paddedWidth * paddedHeight;
        var planes = new float[3 * planeSize];
        int channels = image.Channels, sourceWidth = image.Width, sourceHeight = image.Height;
        var pixels = image.Pixels;
        var columnStart = new int[width + 1];
        for (int x = 0; x <= width; x++) columnStart[x] = (int)((long)x * sourceWidth / width);
        Span<float> sum = stackalloc float[3];
        for (int y = 0; y < height; y++)
        {
            int y0 = (int)((long)y * sourceHeight / height), y1 = Math.Max(y0 + 1, (int)((long)(y + 1) * sourceHeight / height));
            for (int x = 0; x < width; x++)
            {
                int x0 = columnStart[x], x1 = Math.Max(x0 + 1, columnStart[x + 1]);
                sum.Clear();
                for (int sy = y0; sy < y1; sy++)
                {
                    var offset = ((long)sy * sourceWidth + x0) * channels;
                    for (int sx = x0; sx < x1; sx++, offset += channels)
                        for (int c = 0; c < 3; c++) sum[c] += pixels[offset + (channels == 3 ? c : 0)];
                }
                var count = (float)((y1 - y0) * (x1 - x0));
                var at = y * paddedWidth + x;
                planes[at] = sum[2] / count;
                planes[planeSize + at] = sum[1] / count;
                planes[2 * planeSize + at] = sum[0] / count;
            }
        }
        return planes;
    }

    private static string FirstLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
