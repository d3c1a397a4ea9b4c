using System.CommandLine;
using MarginFace.Cli;
using MarginFace.Experiments;

// Research verbs that re-judge or combine finished `marginface eval lfw-protocol` runs; see experiments/README.md.
InternalError.Install(args);
if (HugePageRelaunch.TryRelaunch(args) is int relaunchedExitCode) return relaunchedExitCode;

var root = new RootCommand("MarginFace experiments: study LFW protocol runs (fuse seeds, re-judge thresholds, WCCN)")
{
    LfwFuseCommand.Create(),
    LfwRescoreCommand.Create(),
    LfwWccnCommand.Create(),
    LfwAlignCommand.Create(),
};
return CommandLineHost.Run(root, "MarginFace.Experiments", args);
