using System.CommandLine;
using MarginFace.Cli.Commands.Eval;

namespace MarginFace.Experiments;

/// <summary><c>lfw-fuse</c>: ensemble finished lfw-protocol runs by the mean of their cosines per test fold.</summary>
internal static class LfwFuseCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("runs") { Description = "output directories of finished eval lfw-protocol runs (two or more)", Arity = ArgumentArity.OneOrMore };
        var pairs = new Option<string>("--pairs") { Description = "the pairs file the runs were evaluated on", Required = true };
        var folds = new Option<string>("--folds") { Description = "test folds to fuse: 'done' (every fold all runs have finished), 'all', or a comma-separated list", DefaultValueFactory = _ => "done" };
        var output = new Option<string>("--out") { Description = "output directory: fold-K/ (fused scores.tsv, result.json) per fold, report.json", Required = true };
        var threshold = ThresholdRuleArguments.Option("as the runs chose it (the other folds' pairs where they differ)");
        var command = new Command("lfw-fuse",
            "Ensemble finished lfw-protocol runs: per test fold, the mean of the runs' cosines, the threshold chosen on the other folds' pairs")
        {
            runs, pairs, folds, threshold, output,
        };
        command.SetAction(parse =>
        {
            var pairSet = ProtocolArguments.ReadPairs(parse.GetValue(pairs)!);
            var testFolds = ProtocolArguments.DoneFolds(parse.GetValue(folds)!, pairSet);
            var outDir = parse.GetValue(output)!;
            var report = LfwProtocolFusion.Fuse(pairSet, parse.GetValue(runs)!, testFolds, outDir, ThresholdRuleArguments.Parse(parse.GetValue(threshold)));
            ProtocolArguments.PrintAndSave(report, outDir);
            return 0;
        });
        return command;
    }
}
