using System.CommandLine;
using MarginFace.Pipeline;

namespace MarginFace.Cli.Commands;

/// <summary>
/// The <c>--detector</c>, <c>--face-threshold</c> and <c>--onnx-threads</c> options of the commands that detect faces. Every command
/// names the detector <c>--detector</c> (<c>--model</c> is always the face model), and ONNX Runtime's threads <c>--onnx-threads</c>
/// (<c>--threads</c> is always libtorch's).
/// </summary>
internal sealed class DetectorOptions
{
    public DetectorOptions()
    {
        Model = new("--detector")
        {
            Description = $"YuNet ONNX file (default: ${InferenceModels.EnvironmentVariable}/{InferenceModels.YuNet}, else models/ beside the tool, else shared/models above the current directory)",
        };
    }

    public Option<string?> Model { get; }

    public Option<float> Threshold { get; } = new("--face-threshold")
    {
        Description = "minimum face score in [0, 1]",
        DefaultValueFactory = _ => new FaceDetectorOptions().ScoreThreshold,
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

    public FaceDetector Open(ParseResult parse)
    {
        var threshold = parse.GetValue(Threshold);
        if (!(threshold >= 0 && threshold <= 1)) throw new MarginFaceException($"--face-threshold must be in [0, 1], got {threshold}");
        var threads = parse.GetValue(Threads);
        if (threads < 0) throw new MarginFaceException($"--onnx-threads must be 0 or more, got {threads}");
        return new FaceDetector(parse.GetValue(Model), new FaceDetectorOptions { ScoreThreshold = threshold, Threads = threads });
    }
}
