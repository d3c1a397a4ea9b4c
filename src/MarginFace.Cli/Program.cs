using System.CommandLine;
using MarginFace.Cli;
using MarginFace.Cli.Commands;
using MarginFace.Cli.Commands.Dataset;
using MarginFace.Cli.Commands.Eval;
using MarginFace.Cli.Commands.Gallery;
using MarginFace.Cli.Commands.Models;
using MarginFace.Cli.Runtime;
using MarginFace.Runtime;

InternalError.Install(args);
if (HugePageRelaunch.TryRelaunch(args) is int relaunchedExitCode) return relaunchedExitCode;
// The tool does not carry libtorch: the first command that needs it finds or restores it (nothing happens before that).
TorchRuntime.LibTorchProvider = () => LibTorchPackage.Locate(new MarginFace.Cli.Console.SynchronousProgress(line => Console.Error.WriteLine(line)));

var root = new RootCommand("MarginFace: train face-recognition and metric-learning models (ArcFace, CosFace, SphereFace, ...) on TorchSharp")
{
    MnistCommand.Create(),
    InfoCommand.Create(),
    BackbonesCommand.Create(),
    EvalCommand.Create(),
    TrainCommand.Create(),
    ExportCommand.Create(),
    EmbedCommand.Create(),
    VerifyCommand.Create(),
    ImportCommand.Create(),
    DetectCommand.Create(),
    AnalyzeCommand.Create(),
    AlignCommand.Create(),
    GalleryCommand.Create(),
    EnrollCommand.Create(FaceModelOptions.OpenEmbedder),
    IdentifyCommand.Create(FaceModelOptions.OpenEmbedder),
    BenchCommand.Create(),
    ModelsCommand.Create(),
    DatasetCommand.Create(),
    ServeCommand.Create(),
    KeysCommand.Create(),
};
return CommandLineHost.Run(root, "marginface", args);
