using System.CommandLine;
using MarginFace;
using MarginFace.Cli;
using MarginFace.Cli.Commands;
using MarginFace.Cli.Commands.Eval;
using MarginFace.Cli.Commands.Gallery;

InternalError.Install(args);
if (HugePageRelaunch.TryRelaunch(args) is int relaunchedExitCode) return relaunchedExitCode;

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
    AlignCommand.Create(),
    GalleryCommand.Create(),
    EnrollCommand.Create(FaceModelOptions.OpenEmbedder),
    IdentifyCommand.Create(FaceModelOptions.OpenEmbedder),
    BenchCommand.Create(),
};
root.Options.Add(new Option<bool>(InternalError.VerboseOption)
{
    Description = $"on an internal error, print the full trace as well as the one-line message (or set {InternalError.VerboseVariable}=1)",
    Recursive = true,
});

try
{
    var parse = root.Parse(args);
    var missingCommand = parse.CommandResult.Command.Subcommands.Count > 0 && parse.CommandResult.Command.Action is null;
    if (parse.Errors.Count > 0 && (parse.UnmatchedTokens.Count > 0 || !missingCommand))
    {
        // A user mistake is one line, not the help page: the help is one --help away.
        var path = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            path.Insert(0, result.Command is RootCommand ? "marginface" : result.Command.Name);
        var problem = parse.UnmatchedTokens.Count > 0 ? $"unknown command, option or argument '{parse.UnmatchedTokens[0]}'" : ParseErrors.Describe(parse.Errors[0].Message);
        Console.Error.WriteLine($"error: {problem} (see '{string.Join(' ', path)} --help')");
        return 1;
    }
    InternalError.InjectFaultForTests();
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (MarginFaceException e)
{
    Console.Error.WriteLine($"error: {OptionNames.ForCommandLine(e)}");
    return 1;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message.ReplaceLineEndings(" ")}");
    return 1;
}
catch (Exception e)
{
    // Anything else is a bug, not a user mistake: one line and its own exit code; the trace with --verbose.
    return InternalError.Report(e);
}
