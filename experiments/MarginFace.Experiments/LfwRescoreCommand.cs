using System.CommandLine;
using MarginFace.Cli.Commands.Eval;

namespace MarginFace.Experiments;

/// <summary><c>lfw-rescore</c>: apply another threshold rule to a finished lfw-protocol run's kept scores.</summary>
internal static class LfwRescoreCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "output directory of an eval lfw-protocol run" };
        var pairs = new Option<string>("--pairs") { Description = "the pairs file the run was evaluated on", Required = true };
        var folds = new Option<string>("--folds") { Description = "test folds: 'done' (every fold the run has finished), 'all', or a comma-separated list", DefaultValueFactory = _ => "done" };
        var threshold = ThresholdRuleArguments.Option(null);
        threshold.Required = true;
        var output = new Option<string>("--out") { Description = "output directory: fold-K/ (scores.tsv, result.json) per fold, report.json", Required = true };
        var command = new Command("lfw-rescore",
            "Apply another threshold rule to a finished lfw-protocol run's kept scores (scores.tsv, unseen-scores.tsv): no model, no images")
        {
            run, pairs, folds, threshold, output,
        };
        command.SetAction(parse =>
        {
            var pairSet = ProtocolArguments.ReadPairs(parse.GetValue(pairs)!);
            var outDir = parse.GetValue(output)!;
            var report = LfwProtocolFusion.Rescore(pairSet, parse.GetValue(run)!, ProtocolArguments.DoneFolds(parse.GetValue(folds)!, pairSet), outDir,
                ThresholdRuleArguments.Parse(parse.GetValue(threshold))!.Value);
            ProtocolArguments.PrintAndSave(report, outDir);
            return 0;
        });
        return command;
    }
}
