using System.CommandLine;
using MarginFace.Pipeline;

namespace MarginFace.Cli.Commands;

/// <summary>
/// The <c>--detector</c>, <c>--face-threshold</c> and <c>--onnx-threads</c> options of the commands that detect faces. Every command
/// names the detector <c>--detector</c> (<c>--model</c> is always the face model), and ONNX Runtime's threads <c>--onnx-threads</c>
/// (<c>--threads</c> is always libtorch's). <c>--detector</c> is <c>ssd</c> (default: face-api's SSD MobileNet V1, fetched into the
/// cache), <c>tiny</c> (face-api's tiny face detector), or <c>yunet:PATH</c> (a bare path ending in <c>.onnx</c> is YuNet too;
/// <c>yunet</c> alone searches <c>$MARGINFACE_MODELS</c>, beside the tool and <c>shared/models</c>).
/// </summary>
internal sealed class DetectorOptions
{
    public DetectorOptions()
    {
        Model = new("--detector")
        {
            Description = "face detector: ssd (default; face-api's SSD MobileNet V1, fetched into the cache), tiny (face-api's tiny detector, faster), "
                + $"or yunet:PATH (a YuNet ONNX file; a bare .onnx path also works; yunet alone looks in ${InferenceModels.EnvironmentVariable}/{InferenceModels.YuNet})",
        };
    }

    public Option<string?> Model { get; }

    public Option<float?> Threshold { get; } = new("--face-threshold")
    {
        Description = "minimum face score in [0, 1] (default: 0.5 for ssd and tiny, 0.6 for yunet)",
    };

    public Option<int> Threads { get; } = new("--onnx-threads")
    {
        Description = "ONNX Runtime threads for the detector and ONNX face models (0: all cores)",
        DefaultValueFactory = _ => 0,
    };

    public void AddTo(Command command)
    {
        command.Add(Model);
        command.Add(Threshold);
        command.Add(Threads);
    }

    /// <summary>The kind and model path named by <c>--detector</c>'s <paramref name="text"/> (null: the default SSD).</summary>
    public static (FaceDetectorKind Kind, string? Path) Parse(string? text)
    {
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value) || value.Equals("ssd", StringComparison.OrdinalIgnoreCase)) return (FaceDetectorKind.SsdMobileNetV1, null);
        if (value.Equals("tiny", StringComparison.OrdinalIgnoreCase)) return (FaceDetectorKind.Tiny, null);
        if (value.Equals("yunet", StringComparison.OrdinalIgnoreCase)) return (FaceDetectorKind.YuNet, null);
        if (value.StartsWith("yunet:", StringComparison.OrdinalIgnoreCase))
        {
            var path = value["yunet:".Length..];
            if (path.Length == 0) throw new MarginFaceException("--detector yunet:PATH needs the path of a YuNet ONNX file");
            return (FaceDetectorKind.YuNet, path);
        }
        if (value.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) return (FaceDetectorKind.YuNet, value);
        throw new MarginFaceException($"--detector '{text}': expected ssd, tiny or yunet:PATH");
    }

    public FaceDetector Open(ParseResult parse)
    {
        var threshold = parse.GetValue(Threshold);
        if (threshold is { } t && !(t >= 0 && t <= 1)) throw new MarginFaceException($"--face-threshold must be in [0, 1], got {t}");
        var threads = parse.GetValue(Threads);
        if (threads < 0) throw new MarginFaceException($"--onnx-threads must be 0 or more, got {threads}");
        var (kind, path) = Parse(parse.GetValue(Model));
        return new FaceDetector(path, new FaceDetectorOptions { Kind = kind, ScoreThreshold = threshold, Threads = threads });
    }
}
