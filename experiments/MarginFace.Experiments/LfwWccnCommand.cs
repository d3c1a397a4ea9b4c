using System.CommandLine;
using MarginFace.Cli.Commands.Eval;
using MarginFace.Cli.Commands;
using MarginFace.Cli.Console;

namespace MarginFace.Experiments;

/// <summary><c>lfw-wccn</c>: score a finished lfw-protocol run again after within-class whitening fitted on each fold's training people.</summary>
internal static class LfwWccnCommand
{
    public static Command Create()
    {
        var compute = new ComputeOptions();
        var run = new Argument<string>("run") { Description = "output directory of an eval lfw-protocol run whose fold models (fold-K/face.model) are still there" };
        var images = new Option<string>("--images") { Description = "the run's --images: identity folders of LFW", Required = true };
        var pairs = new Option<string>("--pairs") { Description = "the pairs file the run was evaluated on", Required = true };
        var folds = new Option<string>("--folds") { Description = "test folds: 'done' (every fold the run has finished), 'all', or a comma-separated list", DefaultValueFactory = _ => "done" };
        var flip = new Option<bool>("--flip") { Description = "the run's --flip (the plain cosines must reproduce its kept scores)" };
        var workers = new Option<int>("--workers") { Description = "image decoding threads", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "output directory: fold-K/ (scores.tsv, unseen-scores.tsv, result.json) per fold, report.json", Required = true };
        var command = new Command("lfw-wccn",
            "Score a finished lfw-protocol run's pairs again after within-class whitening (WCCN) fitted on each fold's training people; the threshold as the run chose it")
        {
            run, images, pairs, folds, flip, workers, output,
        };
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            var pairSet = ProtocolArguments.ReadPairs(parse.GetValue(pairs)!);
            var testFolds = ProtocolArguments.DoneFolds(parse.GetValue(folds)!, pairSet);
            var threadCount = parse.GetValue(workers);
            if (threadCount < 1) throw new MarginFaceException($"--workers: expected 1 or more, got {threadCount}");
            var device = compute.Open(parse, parse.GetValue(compute.Threads) ?? Math.Max(1, Environment.ProcessorCount - threadCount));
            var outDir = parse.GetValue(output)!;
            var report = LfwProtocolWhitening.Score(pairSet, parse.GetValue(images)!, parse.GetValue(run)!, testFolds, outDir, device,
                parse.GetValue(flip), threadCount, new SynchronousProgress(ProgressDisplay.Log));
            ProtocolArguments.PrintAndSave(report, outDir);
            return 0;
        });
        return command;
    }
}
