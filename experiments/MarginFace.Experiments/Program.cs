using System.CommandLine;
using MarginFace;
using MarginFace.Cli;
using MarginFace.Experiments;

// Research verbs that re-judge or combine finished `marginface eval lfw-protocol` runs; see experiments/README.md.
if (HugePageRelaunch.TryRelaunch(args) is int relaunchedExitCode) return relaunchedExitCode;

var root = new RootCommand("MarginFace experiments: study LFW protocol runs (fuse seeds, re-judge thresholds, WCCN)")
{
    LfwFuseCommand.Create(),
    LfwRescoreCommand.Create(),
    LfwWccnCommand.Create(),
};
try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is MarginFaceException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message.ReplaceLineEndings(" ")}");
    return 1;
}
