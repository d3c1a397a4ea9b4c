using System.CommandLine;
using MarginFace;
using MarginFace.Cli;
using MarginFace.Cli.Commands;
using MarginFace.Inference;

if (HugePageRelaunch.TryRelaunch(args) is int relaunchedExitCode) return relaunchedExitCode;

var root = new RootCommand("MarginFace: train face-recognition and metric-learning models (ArcFace, CosFace, SphereFace, ...) on TorchSharp")
{
    MnistCommand.Create(),
    InfoCommand.Create(),
    ReportCommand.Create(),
    BackbonesCommand.Create(),
    EvalCommand.Create(),
    TrainCommand.Create(),
    ExportCommand.Create(),
    EmbedCommand.Create(),
    VerifyCommand.Create(),
    ImportCommand.Create(),
    DetectCommand.Create(),
    AlignCommand.Create(),
    GalleryCommand.Create(),
    EnrollCommand.Create(FaceModelOptions.OpenEmbedder),
    IdentifyCommand.Create(FaceModelOptions.OpenEmbedder),
    BenchCommand.Create(),
};

try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (MarginFaceException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message.ReplaceLineEndings(" ")}");
    return 1;
}
