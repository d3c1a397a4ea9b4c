using System.Diagnostics;
using System.Text.Json;
using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Runtime;
using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Evaluation;

/// <summary>
/// LFW View 2 in the "unrestricted, with no outside data" setting (Huang et al., 2007; Huang &amp; Learned-Miller, 2014): for each test
/// fold k a model is trained by <see cref="FaceTraining"/> only on the people named by the pairs of the other folds (the official folds
/// are identity-disjoint), every pair is scored by the cosine of its two embeddings, the threshold that maximises accuracy on the other
/// folds' pairs (<see cref="VerificationProtocol"/>) is applied to fold k. Writes into <c>OUT/fold-k/</c> the training run,
/// <c>include.txt</c> (the people trained on), <c>scores.tsv</c> and <c>result.json</c>; a fold with a <c>result.json</c> is not run
/// again, a fold with a checkpoint (<c>model.bin</c>) resumes its training. With <see cref="FaceTrainingOptions.CacheCrops"/> one
/// <see cref="FaceCropCache"/> serves every fold's training and scoring, so each image is read and cropped once per run; the
/// pairs are scored by <see cref="FaceTrainingOptions.Workers"/> threads.
/// <para>With a held-out threshold fold, for test fold k the people of fold v = k mod F + 1 (the next fold) are left out of training too,
/// and the threshold is the one that maximises accuracy on fold v's pairs alone: people the model has not seen, as the test fold's, where
/// the other folds' pairs name the very people it was trained on and so score their same-person pairs higher than unseen people's
/// (a threshold chosen there is too high). It still uses no outside data and never looks at fold k; it trains on one fold fewer.</para>
/// <para>With the threshold from unseen people, the model trains on all the other folds' people, and the threshold maximises the balanced
/// accuracy ½(TPR + TNR) of the other folds' different-person pairs (TNR; their scores do not depend on whether the people were trained
/// on) and the same-person pairs of <see cref="UnseenPeople"/> (TPR, each person weighing 1): people under the images directory whom
/// the pairs file never names, so no fold's model trains on them. Their scores go to <c>unseen-scores.tsv</c>. With a normal fit the
/// threshold is where normal fits to the two sets have equal density (<see cref="VerificationProtocol.NormalFitThreshold"/>).</para>
/// </summary>
public static class LfwProtocol
{
    /// <summary>A fold's result in its folder: a fold that has one is done, and a rerun reads it instead of training again.</summary>
    public const string ResultFile = "result.json";
    /// <summary>The identities a fold trained on, one per line, in its folder.</summary>
    public const string IncludeFile = "include.txt";
    /// <summary>The unseen people's pair scores of a fold, in its folder (the <see cref="ScoresFile"/> format).</summary>
    public const string UnseenScoresFile = "unseen-scores.tsv";

    /// <summary>The folder of test fold <paramref name="fold"/> (1-based).</summary>
    internal static string FoldDirectory(string outputDirectory, int fold) => Path.Combine(outputDirectory, $"fold-{fold}");

    /// <summary>
    /// Runs the protocol for the 1-based test folds <paramref name="testFolds"/>. <paramref name="training"/> gives every setting but the
    /// data and the include list; <paramref name="imagesDirectory"/> holds the identity folders the pairs name. <paramref name="callbacks"/>
    /// gives the training callback of the i-th fold run. Stops after the fold whose training was cancelled (the report says so).
    /// </summary>
    public static LfwProtocolReport Run(LfwPairs pairs, string imagesDirectory, FaceTrainingOptions training, IReadOnlyList<int> testFolds,
        string outputDirectory, Device device, bool flip = false, Func<int, ITrainingCallback?>? callbacks = null, IProgress<string>? log = null,
        CancellationToken cancellation = default, LfwThresholdRule rule = LfwThresholdRule.OtherFolds)
    {
        if (!Enum.IsDefined(rule)) throw new ArgumentOutOfRangeException(nameof(rule), rule, "not a threshold rule");
        CheckIdentityDisjoint(pairs);
        if (rule == LfwThresholdRule.HeldOutFold && pairs.Folds < 3)
            throw new MarginFaceException($"{pairs.Source}: a held-out threshold fold needs at least three folds (test, threshold, training), the header gives {pairs.Folds}");
        foreach (var fold in testFolds)
            if (fold < 1 || fold > pairs.Folds) throw new MarginFaceException($"fold {fold}: {pairs.Source} has folds 1 to {pairs.Folds}");
        pairs.CheckImages(imagesDirectory);
        var unseen = UsesUnseenPeople(rule) ? UnseenPeople.Find(pairs, imagesDirectory) : null;
        (training with { Data = imagesDirectory }).Validate();

        var results = new List<LfwProtocolFold>();
        var crops = training.CacheCrops ? new FaceCropCache() : null;
        for (int i = 0; i < testFolds.Count; i++)
        {
            var fold = testFolds[i];
            var directory = FoldDirectory(outputDirectory, fold);
            var resultPath = Path.Combine(directory, ResultFile);
            if (File.Exists(resultPath))
            {
                var done = ReadResult(resultPath);
                if (done.Rule != rule)
                    throw new MarginFaceException($"{resultPath}: this fold chose its threshold {Describe(done.Rule, pairs, fold)}, " +
                        $"this run would choose it {Describe(rule, pairs, fold)}; use another output directory");
                results.Add(done);
                log?.Report($"fold {fold}: done before ({resultPath})");
                continue;
            }
            var result = RunFold(pairs, imagesDirectory, training, fold, rule, unseen, directory, device, flip, callbacks?.Invoke(i), log, cancellation, crops);
            if (result is null) return new LfwProtocolReport(pairs.Source, results, Interrupted: true);
            AtomicFile.WriteAllText(resultPath, JsonSerializer.Serialize(result, LfwProtocolReport.Json));
            results.Add(result);
        }
        return new LfwProtocolReport(pairs.Source, results, Interrupted: false);
    }

    /// <summary>
    /// The people named by the pairs outside the 1-based test fold <paramref name="fold"/> and, when given, the held-out threshold fold
    /// <paramref name="thresholdFold"/>, in ordinal order.
    /// </summary>
    internal static IReadOnlyList<string> TrainingIdentities(LfwPairs pairs, int fold, int? thresholdFold = null) =>
        pairs.Pairs.Where(p => p.Fold != fold - 1 && p.Fold != thresholdFold - 1).SelectMany(p => new[] { p.Name1, p.Name2 })
            .Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The held-out threshold fold of 1-based test fold <paramref name="fold"/>: the next one, k mod F + 1.</summary>
    internal static int ThresholdFold(LfwPairs pairs, int fold) => fold % pairs.Folds + 1;

    /// <summary>Whether <paramref name="rule"/> needs the same-person pairs of <see cref="UnseenPeople"/>.</summary>
    internal static bool UsesUnseenPeople(LfwThresholdRule rule) => rule is LfwThresholdRule.Unseen or LfwThresholdRule.UnseenNormalFit;

    private static string Describe(LfwThresholdRule rule, LfwPairs pairs, int fold) => rule switch
    {
        LfwThresholdRule.HeldOutFold => $"on held-out fold {ThresholdFold(pairs, fold)}",
        LfwThresholdRule.Unseen => "from unseen people's same-person pairs",
        LfwThresholdRule.UnseenNormalFit => "from a normal fit to unseen people's same-person pairs",
        _ => "on the other folds' pairs",
    };

    /// <summary>Refuses a pairs file in which one person appears in two folds (the protocol trains on the other folds' people).</summary>
    internal static void CheckIdentityDisjoint(LfwPairs pairs)
    {
        var firstSeen = new Dictionary<string, LfwPair>(StringComparer.Ordinal);
        foreach (var pair in pairs.Pairs)
            foreach (var name in new[] { pair.Name1, pair.Name2 })
            {
                if (!firstSeen.TryAdd(name, pair) && firstSeen[name] is { } earlier && earlier.Fold != pair.Fold)
                    throw new MarginFaceException($"{pairs.Source}:{pair.Line}: {name} appears in fold {earlier.Fold + 1} (line {earlier.Line}) and fold {pair.Fold + 1}; " +
                        "the protocol needs identity-disjoint folds");
            }
    }

    private static LfwProtocolFold? RunFold(LfwPairs pairs, string imagesDirectory, FaceTrainingOptions training, int fold, LfwThresholdRule rule,
        UnseenPeople? unseen, string directory, Device device, bool flip, ITrainingCallback? callback, IProgress<string>? log, CancellationToken cancellation, FaceCropCache? crops)
    {
        Directory.CreateDirectory(directory);
        var includePath = Path.Combine(directory, IncludeFile);
        int? thresholdFold = rule == LfwThresholdRule.HeldOutFold ? ThresholdFold(pairs, fold) : null;
        var identities = TrainingIdentities(pairs, fold, thresholdFold);
        AtomicFile.WriteAllText(includePath, string.Join('\n', identities) + "\n");
        var options = training with { Data = imagesDirectory, IncludeIdentities = includePath, ExcludeIdentities = null };
        var resume = File.Exists(Path.Combine(directory, "model.bin"));
        log?.Report($"fold {fold}: training on {identities.Count} people of the other folds{(thresholdFold is int heldOut ? $" but fold {heldOut} (held out for the threshold)" : "")}{(resume ? " (resuming)" : "")} into {directory}");
        var trained = FaceTraining.Run(options, directory, device, callback, log, resume, cancellation, crops);
        if (trained.Interrupted || trained.Epochs.Count < options.Epochs) return null;

        var watch = Stopwatch.StartNew();
        double[] scores;
        double[]? unseenScores = null;
        string? modelId;
        using (var model = FaceModelFile.Load(trained.ModelPath))
        {
            model.Module.eval();
            modelId = model.Info.ModelId;
            var embeddings = new ImageFolderEmbeddings(imagesDirectory, model.Module, model.Preprocessing, device, flip, crops: crops, workers: training.Workers);
            scores = CosineScores.ForPairs(pairs, embeddings);
            if (unseen is not null) unseenScores = CosineScores.ForPairs(unseen.Pairs, embeddings);
        }
        ScoresFile.Write(Path.Combine(directory, "scores.tsv"), pairs, scores);
        if (unseen is not null) ScoresFile.Write(Path.Combine(directory, UnseenScoresFile), unseen.Pairs, unseenScores!);
        var scored = Score(pairs, scores, fold, rule, unseen, unseenScores);
        watch.Stop();

        var last = trained.Epochs[^1];
        var trainSeconds = trained.Epochs.Sum(e => e.Elapsed.TotalSeconds);
        var result = scored with
        {
            Identities = trained.Classes,
            Images = trained.Images,
            Epochs = trained.Epochs.Count,
            TrainAccuracy = double.IsNaN(last.TrainAccuracy) ? null : last.TrainAccuracy,
            Loss = double.IsNaN(last.MeanLoss) ? null : last.MeanLoss,
            TrainSeconds = trainSeconds,
            ImagesPerSecond = trainSeconds > 0 ? trained.Epochs.Sum(e => (double)e.Samples) / trainSeconds : 0,
            ScoreSeconds = watch.Elapsed.TotalSeconds,
            ModelId = modelId,
        };
        log?.Report($"fold {fold}: accuracy {result.Accuracy:P2} at threshold {result.Threshold:0.0000} (chosen {Describe(rule, pairs, fold)}: {result.TrainingPairsAccuracy:P2})");
        return result;
    }

    /// <summary>
    /// The protocol's verdict on test fold <paramref name="fold"/> (1-based) from the scores of every pair of <paramref name="pairs"/>: the
    /// threshold that <paramref name="rule"/> chooses (the rules that use unseen people take them and their <paramref name="unseenScores"/>),
    /// the accuracy it gives on the test fold, and the hindsight accuracy. The training fields are left unset.
    /// </summary>
    internal static LfwProtocolFold Score(LfwPairs pairs, IReadOnlyList<double> scores, int fold, LfwThresholdRule rule,
        UnseenPeople? unseen = null, IReadOnlyList<double>? unseenScores = null)
    {
        if ((unseen is null) != (unseenScores is null)) throw new ArgumentException("unseen people and their scores come together", nameof(unseenScores));
        if (UsesUnseenPeople(rule) != unseen is not null)
            throw new ArgumentException(unseen is null ? $"the rule {rule} needs unseen people" : $"the rule {rule} does not use unseen people", nameof(unseen));
        int? thresholdFold = rule == LfwThresholdRule.HeldOutFold ? ThresholdFold(pairs, fold) : null;
        var foldIndices = pairs.FoldIndices();
        var same = pairs.SameLabels();
        List<int> PairsWhere(Func<int, bool> inFold) => Enumerable.Range(0, scores.Count).Where(p => inFold(foldIndices[p])).ToList();
        double AccuracyAt(List<int> indices, double threshold) => (double)indices.Count(p => scores[p] > threshold == same[p]) / indices.Count;
        FoldResult BestOn(List<int> indices) =>
            VerificationProtocol.BestThresholdAccuracy(indices.Select(p => scores[p]).ToList(), indices.Select(p => same[p]).ToList());
        var testPairs = PairsWhere(k => k == fold - 1);
        double threshold, trainingPairsAccuracy;
        if (unseen is not null)
        {
            if (unseenScores!.Count != unseen.Pairs.Count) throw new ArgumentException($"{unseenScores.Count} scores for {unseen.Pairs.Count} unseen pairs", nameof(unseenScores));
            var different = PairsWhere(k => k != fold - 1).Where(p => !same[p]).Select(p => scores[p]).ToList();
            if (rule == LfwThresholdRule.UnseenNormalFit)
            {
                threshold = VerificationProtocol.NormalFitThreshold(unseenScores, unseen.Weights, different);
                trainingPairsAccuracy = VerificationProtocol.BalancedAccuracy(unseenScores, unseen.Weights, different, threshold);
            }
            else
            {
                var chosen = VerificationProtocol.BestBalancedThreshold(unseenScores, unseen.Weights, different);
                (threshold, trainingPairsAccuracy) = (chosen.Threshold, chosen.Accuracy);
            }
        }
        else if (thresholdFold is int v)
        {
            var chosen = BestOn(PairsWhere(k => k == v - 1));
            (threshold, trainingPairsAccuracy) = (chosen.Threshold, chosen.Accuracy);
        }
        else
        {
            threshold = VerificationProtocol.Evaluate(scores, same, foldIndices).Folds[fold - 1].Threshold;
            trainingPairsAccuracy = AccuracyAt(PairsWhere(k => k != fold - 1), threshold);
        }
        var hindsight = BestOn(testPairs);
        return new LfwProtocolFold
        {
            Fold = fold,
            Accuracy = AccuracyAt(testPairs, threshold),
            Threshold = threshold,
            ThresholdFold = thresholdFold,
            UnseenPeople = unseen?.People.Count,
            UnseenPairs = unseen?.Pairs.Count,
            UnseenNormalFit = rule == LfwThresholdRule.UnseenNormalFit,
            HindsightAccuracy = hindsight.Accuracy,
            HindsightThreshold = hindsight.Threshold,
            TrainingPairsAccuracy = trainingPairsAccuracy,
            Pairs = testPairs.Count,
        };
    }

    internal static LfwProtocolFold ReadResult(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<LfwProtocolFold>(File.ReadAllText(path), LfwProtocolReport.Json)
                ?? throw new MarginFaceException($"{path}: empty fold result; delete it to run the fold again");
        }
        catch (JsonException e)
        {
            throw new MarginFaceException($"{path}: not a fold result ({e.Message.ReplaceLineEndings(" ")}); delete it to run the fold again");
        }
    }
}
