using System.CommandLine;
using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Galleries;
using MarginFace.Pipeline;

namespace MarginFace.Cli.Commands;

/// <summary>The <c>--model</c> (or <c>--detector</c>), <c>--face-threshold</c> and <c>--threads</c> options of the commands that detect faces.</summary>
internal sealed class DetectorOptions
{
    /// <param name="modelOption">The option naming the YuNet file: <c>--model</c>, or <c>--detector</c> where <c>--model</c> is the face model.</param>
    public DetectorOptions(string modelOption = "--model")
    {
        Model = new(modelOption)
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

    public Option<int> Threads { get; } = new("--threads")
    {
        Description = "ONNX Runtime threads (0: all cores)",
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
        if (threads < 0) throw new MarginFaceException($"--threads must be 0 or more, got {threads}");
        return new FaceDetector(parse.GetValue(Model), new FaceDetectorOptions { ScoreThreshold = threshold, Threads = threads });
    }
}
