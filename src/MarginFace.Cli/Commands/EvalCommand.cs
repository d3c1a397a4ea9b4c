using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MarginFace.Cli.Console;
using MarginFace.Evaluation;
using MarginFace.Runtime;
using MarginFace.Faces;
using MarginFace.Visualization;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface eval</c>: evaluate face embeddings or scores. <c>eval lfw</c> runs the LFW 10-fold verification protocol on a pairs file
/// (see docs/evaluation.md); <c>eval lfw-protocol</c> trains per test fold; <c>eval lfw-fuse</c> fuses finished protocol runs' scores;
/// <c>eval lfw-rescore</c> applies another threshold rule to one run's kept scores; <c>eval lfw-wccn</c> scores a run's folds again after
/// within-class whitening fitted on each fold's training people;
/// <c>eval identify</c> ranks probe images against a gallery (rank-1, rank-5, CMC, open-set rejection).
/// </summary>
internal static class EvalCommand
{
    public static Command Create() => new("eval", "Evaluate face recognition: verification on LFW-style pairs, identification")
    {
        CreateLfw(),
        CreateLfwProtocol(),
        CreateLfwFuse(),
        CreateLfwRescore(),
        CreateLfwWccn(),
        CreateIdentify(),
    };

    private static Command CreateLfw()
    {
        var pairs = new Option<string>("--pairs") { Description = "pairs file in LFW's pairs.txt format (header 'N M', N folds of M same + M different pairs)", Required = true };
        var scores = new Option<string?>("--scores") { Description = "TSV of pair scores with header 'name1 n1 name2 n2 score' (higher = more similar)" };
        var embeddings = new Option<string?>("--embeddings") { Description = "JSON Lines embeddings file ({\"image\": PATH, \"embedding\": [...]} per line); scores are cosines" };
        var model = new Option<string?>("--model") { Description = $"{FaceModelOptions.Help}: embeds the pairs' images with its own input size, crop and normalisation" };
        var images = new Option<string?>("--images") { Description = "with --model: the directory the pairs' images are under (<name>/<name>_<nnnn>.jpg)" };
        var flip = new Option<bool>("--flip") { Description = "with --model: add the mirror image's embedding before normalising (as arcface_torch evaluates)" };
        var crop = new Option<string?>("--crop") { Description = "with --model: the crop of each image instead of the model's own (none, center:SIZE, landmarks[:112|96x112|128|150]: YuNet + 5-point alignment)" };
        var output = new Option<string?>("--out") { Description = "directory for report.json and roc.png" };
        var command = new Command("lfw", "LFW 10-fold verification: per-fold accuracy and threshold, mean ± standard error, AUC, EER, TAR@FAR")
        {
            pairs, scores, embeddings, model, images, flip, crop, output,
        };
        var models = new FaceModelOptions();
        models.AddTo(command);
        command.SetAction(parse =>
        {
            var pairsPath = parse.GetValue(pairs)!;
            var scoresPath = parse.GetValue(scores);
            var embeddingsPath = parse.GetValue(embeddings);
            var modelPath = parse.GetValue(model);
            if ((scoresPath is null ? 0 : 1) + (embeddingsPath is null ? 0 : 1) + (modelPath is null ? 0 : 1) != 1)
                throw new MarginFaceException("give the pairs' scores with exactly one of --scores FILE, --embeddings FILE or --model FILE --images DIR");
            if ((modelPath is null) != (parse.GetValue(images) is null))
                throw new MarginFaceException("--model and --images go together");
            if (modelPath is null && parse.GetValue(crop) is not null) throw new MarginFaceException("--crop applies to --model");
            FaceCrop? cropOverride = null;
            if (parse.GetValue(crop) is string cropText)
            {
                try
                {
                    cropOverride = FaceCrop.Parse(cropText);
                }
                catch (Exception e) when (e is ArgumentException or MarginFaceException)
                {
                    throw new MarginFaceException($"--crop: {e.Message.Split(" (Parameter")[0]}");
                }
            }
            var watch = Stopwatch.StartNew();
            var pairSet = ReadProtocolPairs(pairsPath);
            double[] pairScores;
            string label;
            if (scoresPath is not null)
            {
                pairScores = ScoresFile.Read(scoresPath, pairSet);
                label = Path.GetFileName(scoresPath);
            }
            else if (embeddingsPath is not null)
            {
                pairScores = CosineScores.ForPairs(pairSet, EmbeddingSource(embeddingsPath));
                label = Path.GetFileName(embeddingsPath);
            }
            else
            {
                var imagesDirectory = parse.GetValue(images)!;
                pairSet.CheckImages(imagesDirectory);
                using var faceModel = models.Open(parse, modelPath!);
                var preprocessing = cropOverride is null ? faceModel.Preprocessing : faceModel.Preprocessing with { Crop = cropOverride };
                pairScores = CosineScores.ForPairs(pairSet, new FaceModelFolderEmbeddings(imagesDirectory, faceModel, parse.GetValue(flip), preprocessing: preprocessing));
                label = $"{Path.GetFileName(modelPath)} ({faceModel.Info.Backbone}, model {faceModel.Info.ModelId}, crop {preprocessing.Crop}{(parse.GetValue(flip) ? ", flip" : "")})";
            }
            var read = watch.Elapsed;
            watch.Restart();
            var (report, roc) = VerificationReport.Compute(pairScores, pairSet.SameLabels(), pairSet.FoldIndices());
            watch.Stop();
            System.Console.WriteLine($"pairs: {pairsPath} ({pairSet.Folds} folds x {pairSet.PairsPerClass} same + {pairSet.PairsPerClass} different), scores: {label}");
            System.Console.Write(report.ToTable());
            System.Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "read in {0:F0} ms, evaluated in {1:F0} ms", read.TotalMilliseconds, watch.Elapsed.TotalMilliseconds));
            if (parse.GetValue(output) is string outDir)
            {
                report.Save(Path.Combine(outDir, "report.json"));
                RocPlot.Save(Path.Combine(outDir, "roc.png"), roc, $"ROC, {Path.GetFileName(pairsPath)} ({report.Pairs} pairs)", label);
                System.Console.WriteLine($"wrote {Path.Combine(outDir, "report.json")} and {Path.Combine(outDir, "roc.png")}");
            }
            return 0;
        });
        return command;
    }

    private static Command CreateLfwProtocol()
    {
        var compute = new ComputeOptions();
        var images = new Option<string>("--images") { Description = "identity folders of LFW (<name>/<name>_<nnnn>.jpg): training data and the pairs' images", Required = true };
        var pairs = new Option<string>("--pairs") { Description = "pairs file in LFW's pairs.txt format; its folds must be identity-disjoint", Required = true };
        var folds = new Option<string>("--folds") { Description = "test folds to run: 'all' or a comma-separated list of 1-based folds, e.g. 1,2", DefaultValueFactory = _ => "all" };
        var config = new Option<string>("--config") { Description = "JSON file of marginface train settings (backbone, loss, epochs, ...); data and include list are set per fold", Required = true };
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
            var pairSet = ReadProtocolPairs(pairsPath);
            var testFolds = ParseFolds(parse.GetValue(folds)!, pairSet.Folds);
            var training = JsonConfig.Read<FaceTrainingOptions>(parse.GetValue(config)!);
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
            PrintAndSave(report, outDir);
            return stop.ExitCode();
        });
        return command;
    }

    private static Command CreateLfwFuse()
    {
        var runs = new Argument<string[]>("runs") { Description = "output directories of finished eval lfw-protocol runs (two or more)", Arity = ArgumentArity.OneOrMore };
        var pairs = new Option<string>("--pairs") { Description = "the pairs file the runs were evaluated on", Required = true };
        var folds = new Option<string>("--folds") { Description = "test folds to fuse: 'done' (every fold all runs have finished), 'all', or a comma-separated list", DefaultValueFactory = _ => "done" };
        var output = new Option<string>("--out") { Description = "output directory: fold-K/ (fused scores.tsv, result.json) per fold, report.json", Required = true };
        var threshold = ThresholdRuleOption("as the runs chose it (the other folds' pairs where they differ)");
        var command = new Command("lfw-fuse",
            "Ensemble finished lfw-protocol runs: per test fold, the mean of the runs' cosines, the threshold chosen on the other folds' pairs")
        {
            runs, pairs, folds, threshold, output,
        };
        command.SetAction(parse =>
        {
            var pairSet = ReadProtocolPairs(parse.GetValue(pairs)!);
            var testFolds = DoneFolds(parse.GetValue(folds)!, pairSet);
            var outDir = parse.GetValue(output)!;
            var report = LfwProtocolFusion.Fuse(pairSet, parse.GetValue(runs)!, testFolds, outDir, ParseThresholdRule(parse.GetValue(threshold)));
            PrintAndSave(report, outDir);
            return 0;
        });
        return command;
    }

    private static Command CreateLfwRescore()
    {
        var run = new Argument<string>("run") { Description = "output directory of an eval lfw-protocol run" };
        var pairs = new Option<string>("--pairs") { Description = "the pairs file the run was evaluated on", Required = true };
        var folds = new Option<string>("--folds") { Description = "test folds: 'done' (every fold the run has finished), 'all', or a comma-separated list", DefaultValueFactory = _ => "done" };
        var threshold = ThresholdRuleOption(null);
        threshold.Required = true;
        var output = new Option<string>("--out") { Description = "output directory: fold-K/ (scores.tsv, result.json) per fold, report.json", Required = true };
        var command = new Command("lfw-rescore",
            "Apply another threshold rule to a finished lfw-protocol run's kept scores (scores.tsv, unseen-scores.tsv): no model, no images")
        {
            run, pairs, folds, threshold, output,
        };
        command.SetAction(parse =>
        {
            var pairSet = ReadProtocolPairs(parse.GetValue(pairs)!);
            var outDir = parse.GetValue(output)!;
            var report = LfwProtocolFusion.Rescore(pairSet, parse.GetValue(run)!, DoneFolds(parse.GetValue(folds)!, pairSet), outDir,
                ParseThresholdRule(parse.GetValue(threshold))!.Value);
            PrintAndSave(report, outDir);
            return 0;
        });
        return command;
    }

    private static Command CreateLfwWccn()
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
            var pairSet = ReadProtocolPairs(parse.GetValue(pairs)!);
            var testFolds = DoneFolds(parse.GetValue(folds)!, pairSet);
            var threadCount = parse.GetValue(workers);
            if (threadCount < 1) throw new MarginFaceException($"--workers: expected 1 or more, got {threadCount}");
            var device = compute.Open(parse, parse.GetValue(compute.Threads) ?? Math.Max(1, Environment.ProcessorCount - threadCount));
            var outDir = parse.GetValue(output)!;
            var report = LfwProtocolWhitening.Score(pairSet, parse.GetValue(images)!, parse.GetValue(run)!, testFolds, outDir, device,
                parse.GetValue(flip), threadCount, new SynchronousProgress(ProgressDisplay.Log));
            PrintAndSave(report, outDir);
            return 0;
        });
        return command;
    }

    private static Option<string?> ThresholdRuleOption(string? byDefault) => new("--threshold")
    {
        Description = "how fold k's threshold is chosen: other-folds (best accuracy on the other folds' pairs), unseen (best balanced accuracy on the " +
            "unseen people's same-person pairs and the other folds' different-person pairs; needs unseen-scores.tsv), unseen-normal-fit (where normal " +
            "fits to those two sets have equal density), held-out-fold (best accuracy on the next fold's pairs, for runs trained with --held-out-threshold)" + (byDefault is null ? "" : $"; default: {byDefault}"),
    };

    private static LfwThresholdRule? ParseThresholdRule(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "other-folds" => LfwThresholdRule.OtherFolds,
        "unseen" => LfwThresholdRule.Unseen,
        "unseen-normal-fit" => LfwThresholdRule.UnseenNormalFit,
        "held-out-fold" => LfwThresholdRule.HeldOutFold,
        _ => throw new MarginFaceException($"--threshold: expected other-folds, unseen, unseen-normal-fit or held-out-fold, got '{text}'"),
    };

    /// <summary>The test folds of <c>--folds</c>: null for 'done' (every fold finished), else 'all' or a list.</summary>
    private static IReadOnlyList<int>? DoneFolds(string text, LfwPairs pairs) =>
        text.Trim().Equals("done", StringComparison.OrdinalIgnoreCase) ? null : ParseFolds(text, pairs.Folds, "'done', 'all'");

    /// <summary>The pairs file of a 10-fold style protocol: at least two folds.</summary>
    private static LfwPairs ReadProtocolPairs(string path)
    {
        var pairs = LfwPairs.Read(path);
        if (pairs.Folds < 2) throw new MarginFaceException($"{path}: the protocol needs at least two folds, the header gives {pairs.Folds}");
        return pairs;
    }

    /// <summary>Prints the protocol table and writes <c>OUT/report.json</c>.</summary>
    private static void PrintAndSave(LfwProtocolReport report, string outDir)
    {
        System.Console.Write(report.ToTable());
        var path = Path.Combine(outDir, "report.json");
        report.Save(path);
        System.Console.WriteLine($"wrote {path}");
    }

    /// <summary>"all" or "1,3,5" (1-based, each at most once) for a pairs file of <paramref name="count"/> folds; <paramref name="keywords"/> names the words the option accepts, for the error.</summary>
    private static IReadOnlyList<int> ParseFolds(string text, int count, string keywords = "'all'")
    {
        if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return Enumerable.Range(1, count).ToList();
        var folds = new List<int>();
        foreach (var field in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var fold) || fold < 1 || fold > count)
                throw new MarginFaceException($"--folds: expected {keywords} or folds from 1 to {count} separated by commas, got '{text}'");
            if (folds.Contains(fold)) throw new MarginFaceException($"--folds: fold {fold} is given twice");
            folds.Add(fold);
        }
        return folds;
    }

    private static Command CreateIdentify()
    {
        var embeddings = new Option<string?>("--embeddings") { Description = "JSON Lines embeddings file; an image's identity is its parent folder's name" };
        var split = new Option<int?>("--split") { Description = "with --embeddings: the first K images of each identity (natural file-name order) are the gallery, the rest probes" };
        var gallery = new Option<string?>("--gallery") { Description = "embeddings file of the gallery (instead of --embeddings and --split)" };
        var probe = new Option<string?>("--probe") { Description = "embeddings file of the probes; probes of identities not in the gallery are unknown people" };
        var template = new Option<string>("--template") { Description = "mean (cosine to the mean of an identity's normalised gallery embeddings) or nearest (best gallery image)", DefaultValueFactory = _ => "mean" };
        template.AcceptOnlyFromAmong("mean", "nearest");
        var threshold = new Option<double?>("--threshold") { Description = "open set: a probe whose best cosine is below this is rejected as unknown" };
        var output = new Option<string?>("--out") { Description = "directory for report.json and cmc.png" };
        var command = new Command("identify", "Identification: rank probe images against a gallery; rank-1, rank-5, CMC, rejection of unknown people")
        {
            embeddings, split, gallery, probe, template, threshold, output,
        };
        command.SetAction(parse =>
        {
            var embeddingsPath = parse.GetValue(embeddings);
            var galleryPath = parse.GetValue(gallery);
            var probePath = parse.GetValue(probe);
            IReadOnlyList<ImageEmbedding> galleryRecords, probeRecords;
            string description;
            if (embeddingsPath is not null && galleryPath is null && probePath is null)
            {
                if (parse.GetValue(split) is not int k) throw new MarginFaceException("--embeddings needs --split K (gallery images per identity)");
                if (k <= 0) throw new MarginFaceException($"--split must be a positive number of gallery images per identity, got {k}");
                (galleryRecords, probeRecords) = IdentificationProtocol.Split(EmbeddingsFile.Read(embeddingsPath), k);
                if (probeRecords.Count == 0) throw new MarginFaceException($"{embeddingsPath}: no probes, every identity has at most {k} images (--split {k})");
                description = $"{Path.GetFileName(embeddingsPath)}, split {k}";
            }
            else if (embeddingsPath is null && galleryPath is not null && probePath is not null)
            {
                if (parse.GetValue(split) is not null) throw new MarginFaceException("--split applies to --embeddings, not to --gallery and --probe");
                galleryRecords = EmbeddingsFile.Read(galleryPath);
                probeRecords = EmbeddingsFile.Read(probePath);
                description = $"{Path.GetFileName(galleryPath)} against {Path.GetFileName(probePath)}";
            }
            else throw new MarginFaceException("give either --embeddings FILE --split K, or --gallery FILE and --probe FILE");
            if (parse.GetValue(threshold) is double t && !double.IsFinite(t)) throw new MarginFaceException($"--threshold must be a finite number, got {t}");
            var kind = parse.GetValue(template) == "nearest" ? GalleryTemplate.Nearest : GalleryTemplate.Mean;
            var result = IdentificationProtocol.Evaluate(galleryRecords, probeRecords, kind, parse.GetValue(threshold));
            System.Console.WriteLine($"identification: {description}");
            System.Console.Write(result.ToTable());
            if (parse.GetValue(output) is string outDir)
            {
                result.Save(Path.Combine(outDir, "report.json"));
                CmcPlot.Save(Path.Combine(outDir, "cmc.png"), result, $"CMC, {description}");
                System.Console.WriteLine($"wrote {Path.Combine(outDir, "report.json")} and {Path.Combine(outDir, "cmc.png")}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>The embeddings of the pairs' images. A model input (<c>--model FILE --images DIR</c>) is another <see cref="IEmbeddingSource"/>.</summary>
    private static IEmbeddingSource EmbeddingSource(string embeddingsPath) => new EmbeddingLookup(EmbeddingsFile.Read(embeddingsPath), embeddingsPath);
}
