using System.CommandLine;
using MarginFace.Cli.Console;
using MarginFace.Evaluation;
using MarginFace.Runtime;
using MarginFace.Training;

namespace MarginFace.Cli.Commands.Eval;

/// <summary><c>marginface eval lfw-protocol</c>: LFW unrestricted with no outside data, a model trained per test fold on the other folds' people.</summary>
internal static class EvalLfwProtocolCommand
{
    public static Command Create()
    {
        var compute = new ComputeOptions();
        var images = new Option<string>("--images") { Description = "identity folders of LFW (<name>/<name>_<nnnn>.jpg): training data and the pairs' images", Required = true };
        var pairs = new Option<string>("--pairs") { Description = "pairs file in LFW's pairs.txt format; its folds must be identity-disjoint", Required = true };
        var folds = new Option<string>("--folds") { Description = "test folds to run: 'all' or a comma-separated list of 1-based folds, e.g. 1,2", DefaultValueFactory = _ => "all" };
        var config = new Option<string?>("--config") { Description = "JSON file of marginface train settings (backbone, loss, epochs, ...); data and include list are set per fold (default: the documented recipe, configs/lfw-protocol.json: MobileFaceNet 96x96 + CosFace, 20 epochs)" };
        var output = new Option<string>("--out") { Description = "output directory: fold-K/ per test fold, report.json", Required = true };
        var flip = new Option<bool>("--flip") { Description = "add the mirror image's embedding before normalising when scoring" };
        var workers = new Option<int?>("--workers") { Description = "image decoding threads for training and scoring, instead of the config's (the numbers do not change)" };
        var cacheCrops = new Option<bool>("--cache-crops")
        {
            Description = "keep every image's cropped face in memory for all folds (about 500 MB for LFW at landmarks:112): each image is read, detected and aligned once; the numbers do not change",
        };
        var heldOut = new Option<bool>("--held-out-threshold")
        {
            Description = "leave the next fold's people out of training too and choose the threshold on its pairs (unseen people, as the test fold's)",
        };
        var unseen = new Option<bool>("--unseen-threshold")
        {
            Description = "choose the threshold on the other folds' different-person pairs and the same-person pairs of the people under --images whom the pairs file never names (unseen, as the test fold's)",
        };
        var normalFit = new Option<bool>("--normal-fit")
        {
            Description = "with --unseen-threshold: the threshold where normal fits to the two sets of scores have equal density, instead of the best one of the scores",
        };
        var command = new Command("lfw-protocol",
            "LFW unrestricted with no outside data: per test fold, train on the other folds' people, choose the threshold on their pairs, test the fold")
        {
            images, pairs, folds, config, output, flip, heldOut, unseen, normalFit, workers, cacheCrops,
        };
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(heldOut) && parse.GetValue(unseen))
                throw new MarginFaceException("--held-out-threshold and --unseen-threshold choose the threshold two different ways; give one");
            if (parse.GetValue(normalFit) && !parse.GetValue(unseen))
                throw new MarginFaceException("--normal-fit applies to --unseen-threshold; give both");
            var rule = parse.GetValue(heldOut) ? LfwThresholdRule.HeldOutFold
                : parse.GetValue(unseen) ? (parse.GetValue(normalFit) ? LfwThresholdRule.UnseenNormalFit : LfwThresholdRule.Unseen)
                : LfwThresholdRule.OtherFolds;
            var pairsPath = parse.GetValue(pairs)!;
            var pairSet = ProtocolArguments.ReadPairs(pairsPath);
            var testFolds = ProtocolArguments.ParseFolds(parse.GetValue(folds)!, pairSet.Folds);
            var training = parse.GetValue(config) is string configPath ? JsonConfig.Read<FaceTrainingOptions>(configPath) : DefaultRecipe();
            training = training with { Workers = parse.GetValue(workers) ?? training.Workers, CacheCrops = parse.GetValue(cacheCrops) || training.CacheCrops };
            var threads = parse.GetValue(compute.Threads) ?? Math.Max(1, Environment.ProcessorCount - training.Workers);
            var device = compute.Open(parse, threads);
            using var stop = new StopSignals();
            var outDir = parse.GetValue(output)!;
            System.Console.WriteLine($"LFW protocol: {pairsPath}, test folds {string.Join(",", testFolds)}, {training.Backbone} + {training.Loss}, {training.Epochs} epoch(s) per fold, out: {outDir}");
            var report = ProgressDisplay.Run("lfw-protocol", testFolds.Count * training.Epochs, progress =>
                LfwProtocol.Run(pairSet, parse.GetValue(images)!, training, testFolds, outDir, device, parse.GetValue(flip),
                    position => new ProgressCallback((value, status) => progress(position * training.Epochs + value, $"fold {testFolds[position]}: {status}")),
                    new SynchronousProgress(ProgressDisplay.Log), stop.Token, rule));
            ProtocolArguments.PrintAndSave(report, outDir);
            return stop.ExitCode();
        });
        return command;
    }

    /// <summary>The documented recipe of the LFW protocol (<c>configs/lfw-protocol.json</c>, embedded in the tool).</summary>
    internal static FaceTrainingOptions DefaultRecipe()
    {
        using var stream = typeof(EvalLfwProtocolCommand).Assembly.GetManifestResourceStream("lfw-protocol.json")
            ?? throw new InvalidOperationException("the tool was built without its lfw-protocol.json");
        using var reader = new StreamReader(stream);
        return JsonConfig.Parse<FaceTrainingOptions>(reader.ReadToEnd(), "lfw-protocol.json (built in)");
    }
}
