using System.Text.Json;
using MarginFace.Evaluation;

namespace MarginFace.Experiments.Tests;

public class LfwProtocolFusionTests
{
    /// <summary>Three identity-disjoint folds of two same-person pairs then two different-person pairs.</summary>
    internal const string ThreeFolds = "3\t2\n" +
        "a\t1\t2\nb\t1\t2\na\t3\tb\t3\na\t4\tb\t4\n" +
        "c\t1\t2\nd\t1\t2\nc\t3\td\t3\nc\t4\td\t4\n" +
        "e\t1\t2\nf\t1\t2\ne\t3\tf\t3\ne\t4\tf\t4\n";

    private static LfwPairs Pairs() => LfwPairs.Parse(new StringReader(ThreeFolds), "pairs.txt");

    /// <summary>Folds 2 and 3 score S 0.8, 0.7 and D 0.2, 0.1: one gap, so the threshold they choose is (0.2 + 0.7)/2 = 0.45.</summary>
    internal static double[] WithTrainingFolds(params double[] fold1) => [.. fold1, 0.8, 0.7, 0.2, 0.1, 0.8, 0.7, 0.2, 0.1];

    /// <summary>Unseen people g (three images: pairs 1-2, 1-3, 2-3, each weighing 1/3) and h (one pair, weighing 1).</summary>
    internal static readonly LfwPair[] UnseenPairs =
        [new("g", 1, "g", 2, true, -1, 0), new("g", 1, "g", 3, true, -1, 0), new("g", 2, "g", 3, true, -1, 0), new("h", 1, "h", 2, true, -1, 0)];

    internal static string WriteRun(string run, int fold, double[] scores, LfwThresholdRule? rule = null, double trainSeconds = 10, double[]? unseenScores = null)
    {
        var directory = LfwProtocol.FoldDirectory(run, fold);
        Directory.CreateDirectory(directory);
        var pairs = Pairs();
        ScoresFile.Write(Path.Combine(directory, "scores.tsv"), pairs, scores);
        var unseen = unseenScores is null ? null : UnseenPeople.FromPairs(UnseenPairs);
        if (unseenScores is not null) ScoresFile.Write(Path.Combine(directory, LfwProtocol.UnseenScoresFile), UnseenPairs, unseenScores);
        var result = LfwProtocol.Score(pairs, scores, fold, rule ?? (unseen is null ? LfwThresholdRule.OtherFolds : LfwThresholdRule.Unseen), unseen, unseenScores) with { Identities = 4, Images = 16, Epochs = 2, TrainSeconds = trainSeconds };
        File.WriteAllText(Path.Combine(directory, LfwProtocol.ResultFile), JsonSerializer.Serialize(result, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        return run;
    }

    [Fact]
    public void RunsThatAllChoseFromUnseenPeopleAreFusedUnderThatRuleAndMixedRunsUnderTheOtherFolds()
    {
        using var work = new TempDirectory();
        // Unseen same pairs: a scores g 0.3 (x3) and h 0.9, b scores g 0.5 (x3) and h 0.1; the means g 0.4 and h 0.5 are all above the
        // other folds' different pairs (0.2, 0.1, 0.2, 0.1), so the balanced accuracy is 1 from (0.2 + 0.4)/2 = 0.3 on.
        // Fold 1's fused scores S 0.7 0.55 D 0.35 0.15 at 0.3: D 0.35 is called same, 75 %; the other folds' rule (0.45) gets 100 %.
        var a = WriteRun(work.Combine("a"), 1, WithTrainingFolds(0.9, 0.3, 0.1, 0.2), unseenScores: [0.3, 0.3, 0.3, 0.9]);
        var b = WriteRun(work.Combine("b"), 1, WithTrainingFolds(0.5, 0.8, 0.6, 0.1), unseenScores: [0.5, 0.5, 0.5, 0.1]);
        var c = WriteRun(work.Combine("c"), 1, WithTrainingFolds(0.5, 0.8, 0.6, 0.1));
        var pairs = Pairs();

        var unseen = Assert.Single(LfwProtocolFusion.Fuse(pairs, [a, b], null, work.Combine("ab")).Folds);
        var mixed = Assert.Single(LfwProtocolFusion.Fuse(pairs, [a, c], null, work.Combine("ac")).Folds);

        Assert.Equal(0.3, unseen.Threshold, 12);
        Assert.Equal((0.75, 1.0, 2, 4), (unseen.Accuracy, unseen.TrainingPairsAccuracy, unseen.UnseenPeople, unseen.UnseenPairs));
        var (fusedPairs, fusedScores) = ScoresFile.ReadSamePairs(Path.Combine(work.Combine("ab"), "fold-1", LfwProtocol.UnseenScoresFile));
        Assert.Equal(UnseenPairs, fusedPairs);
        Assert.Equal(new[] { 0.4, 0.4, 0.4, 0.5 }, fusedScores, new ToleranceComparer(1e-15));
        Assert.Equal(0.45, mixed.Threshold, 12);
        Assert.Null(mixed.UnseenPeople);
        Assert.False(File.Exists(Path.Combine(work.Combine("ac"), "fold-1", LfwProtocol.UnseenScoresFile)));

        // Both with a normal fit: the fused unseen scores and the other folds' different pairs, fitted, place it.
        var an = WriteRun(work.Combine("an"), 1, WithTrainingFolds(0.9, 0.3, 0.1, 0.2), LfwThresholdRule.UnseenNormalFit, unseenScores: [0.3, 0.3, 0.3, 0.9]);
        var bn = WriteRun(work.Combine("bn"), 1, WithTrainingFolds(0.5, 0.8, 0.6, 0.1), LfwThresholdRule.UnseenNormalFit, unseenScores: [0.5, 0.5, 0.5, 0.1]);
        var fitted = Assert.Single(LfwProtocolFusion.Fuse(pairs, [an, bn], null, work.Combine("abn")).Folds);
        Assert.True(fitted.UnseenNormalFit);
        Assert.Equal(VerificationProtocol.NormalFitThreshold([0.4, 0.4, 0.4, 0.5], UnseenPeople.FromPairs(UnseenPairs).Weights, [0.2, 0.1, 0.2, 0.1]), fitted.Threshold, 12);
        Assert.Null(Assert.Single(LfwProtocolFusion.Fuse(pairs, [a, bn], null, work.Combine("abn2")).Folds).UnseenPeople);
    }

    [Fact]
    public void RescoringOneRunAppliesTheGivenRuleToItsKeptScoresAndKeepsItsTrainingFields()
    {
        using var work = new TempDirectory();
        // Run a chose from unseen people (0.3, as above: g 0.3 x3 and h 0.9 are above every other fold's different pair from
        // (0.2 + 0.3)/2 = 0.25 on, so the first best candidate is 0.25): fold 1's S 0.9 0.3 D 0.1 0.2 are all right, 100 %.
        // Under the other folds' rule (0.45) S 0.3 is missed: 75 %.
        var a = WriteRun(work.Combine("a"), 1, WithTrainingFolds(0.9, 0.3, 0.1, 0.2), trainSeconds: 10, unseenScores: [0.3, 0.3, 0.3, 0.9]);
        var pairs = Pairs();
        var own = LfwProtocol.ReadResult(Path.Combine(a, "fold-1", LfwProtocol.ResultFile));
        Assert.Equal(0.25, own.Threshold, 12);
        Assert.Equal(1.0, own.Accuracy);

        var otherFolds = Assert.Single(LfwProtocolFusion.Rescore(pairs, a, null, work.Combine("other"), LfwThresholdRule.OtherFolds).Folds);
        Assert.Equal(0.45, otherFolds.Threshold, 12);
        Assert.Equal(0.75, otherFolds.Accuracy);
        Assert.Null(otherFolds.UnseenPeople);
        Assert.Equal((4, 16, 2, 10.0), (otherFolds.Identities, otherFolds.Images, otherFolds.Epochs, otherFolds.TrainSeconds));
        Assert.Equal([LfwProtocol.FoldDirectory(a, 1)], otherFolds.Members!);

        var unseen = Assert.Single(LfwProtocolFusion.Rescore(pairs, a, null, work.Combine("unseen"), LfwThresholdRule.Unseen).Folds);
        Assert.Equal(own.Threshold, unseen.Threshold);
        Assert.Equal((own.Accuracy, own.TrainingPairsAccuracy, own.UnseenPeople, false), (unseen.Accuracy, unseen.TrainingPairsAccuracy, unseen.UnseenPeople, unseen.UnseenNormalFit));

        var fitted = Assert.Single(LfwProtocolFusion.Rescore(pairs, a, [1], work.Combine("fit"), LfwThresholdRule.UnseenNormalFit).Folds);
        Assert.True(fitted.UnseenNormalFit);
        Assert.Equal(VerificationProtocol.NormalFitThreshold([0.3, 0.3, 0.3, 0.9], UnseenPeople.FromPairs(UnseenPairs).Weights, [0.2, 0.1, 0.2, 0.1]), fitted.Threshold, 12);

        // A run that scored no unseen people cannot be rescored under an unseen rule: one line naming the missing file, nothing written.
        var c = WriteRun(work.Combine("c"), 1, WithTrainingFolds(0.5, 0.8, 0.6, 0.1));
        var error = Assert.Throws<MarginFaceException>(() => LfwProtocolFusion.Rescore(pairs, c, null, work.Combine("none"), LfwThresholdRule.Unseen));
        Assert.Contains(LfwProtocol.UnseenScoresFile, error.Message);
        Assert.Contains("--unseen-threshold", error.Message);
        Assert.False(Directory.Exists(work.Combine("none")));
        var itself = Assert.Throws<MarginFaceException>(() => LfwProtocolFusion.Rescore(pairs, c, null, c, LfwThresholdRule.OtherFolds));
        Assert.Contains("the run itself", itself.Message);
    }

    [Fact]
    public void TheMeanOfTwoRunsScoresCorrectsEachRunsOwnMistakeAtTheThresholdOfTheOtherFolds()
    {
        using var work = new TempDirectory();
        // Fold 1 as S1 S2 D1 D2. Run a misses S2 (0.3 < 0.45), run b misses D1 (0.6 > 0.45): 75 % each.
        // The mean, S 0.7 0.55 and D 0.35 0.15, is right on all four at the same threshold: 100 %.
        var a = WriteRun(work.Combine("a"), 1, WithTrainingFolds(0.9, 0.3, 0.1, 0.2), trainSeconds: 10);
        var b = WriteRun(work.Combine("b"), 1, WithTrainingFolds(0.5, 0.8, 0.6, 0.1), trainSeconds: 30);
        var pairs = Pairs();
        Assert.Equal(0.75, LfwProtocol.ReadResult(Path.Combine(a, "fold-1", LfwProtocol.ResultFile)).Accuracy);
        Assert.Equal(0.75, LfwProtocol.ReadResult(Path.Combine(b, "fold-1", LfwProtocol.ResultFile)).Accuracy);
        var output = work.Combine("fused");

        var report = LfwProtocolFusion.Fuse(pairs, [a, b], null, output);

        var fold = Assert.Single(report.Folds);
        Assert.Equal(1, fold.Fold);
        Assert.Equal(1.0, fold.Accuracy);
        Assert.Equal(0.45, fold.Threshold, 12);
        Assert.Null(fold.ThresholdFold);
        Assert.Equal(1.0, fold.TrainingPairsAccuracy);
        Assert.Equal(4, fold.Pairs);
        Assert.Equal((4, 16, 4, 40.0), (fold.Identities, fold.Images, fold.Epochs, fold.TrainSeconds));
        Assert.Equal(2 * 16 * 2 / 40.0, fold.ImagesPerSecond, 12);
        Assert.Equal([Path.Combine(a, "fold-1"), Path.Combine(b, "fold-1")], fold.Members);
        var fused = ScoresFile.Read(Path.Combine(output, "fold-1", "scores.tsv"), pairs);
        Assert.Equal(new[] { 0.7, 0.55, 0.35, 0.15, 0.8, 0.7, 0.2, 0.1 }, fused.Take(8), new ToleranceComparer(1e-15));
        Assert.Equal(1.0, LfwProtocol.ReadResult(Path.Combine(output, "fold-1", LfwProtocol.ResultFile)).Accuracy);
        Assert.Contains("fold 1: the mean score of 2 runs", report.ToTable());
    }

    [Fact]
    public void RunsThatHeldOutOneFoldChooseOnItAndRunsThatDisagreeChooseOnAllOtherFolds()
    {
        using var work = new TempDirectory();
        // Held-out fold 2 alone, S 0.99 0.98 and D 0.97 0.1, separates at (0.97 + 0.98)/2 = 0.975; with fold 3 (S 0.8 0.7, D 0.2 0.1)
        // the best is 7 of 8 at (0.2 + 0.7)/2 = 0.45 (0.975 gets 6). Fold 1, S 0.9 0.3 and D 0.1 0.2: 2 of 4 at 0.975, 3 of 4 at 0.45.
        double[] scores = [0.9, 0.3, 0.1, 0.2, 0.99, 0.98, 0.97, 0.1, 0.8, 0.7, 0.2, 0.1];
        var a = WriteRun(work.Combine("a"), 1, scores, LfwThresholdRule.HeldOutFold);
        var b = WriteRun(work.Combine("b"), 1, scores, LfwThresholdRule.HeldOutFold);
        var c = WriteRun(work.Combine("c"), 1, scores);

        var heldOut = Assert.Single(LfwProtocolFusion.Fuse(Pairs(), [a, b], [1], work.Combine("ab")).Folds);
        Assert.Equal(2, heldOut.ThresholdFold);
        Assert.Equal(0.975, heldOut.Threshold, 12);
        Assert.Equal(1.0, heldOut.TrainingPairsAccuracy);
        Assert.Equal(0.5, heldOut.Accuracy);

        var mixed = Assert.Single(LfwProtocolFusion.Fuse(Pairs(), [a, c], [1], work.Combine("ac")).Folds);
        Assert.Null(mixed.ThresholdFold);
        Assert.Equal(0.45, mixed.Threshold, 12);
        Assert.Equal(7 / 8.0, mixed.TrainingPairsAccuracy);
        Assert.Equal(0.75, mixed.Accuracy);

        var refused = Assert.Throws<MarginFaceException>(() => LfwProtocolFusion.Fuse(Pairs(), [a, c], [1], work.Combine("ac2"), LfwThresholdRule.HeldOutFold));
        Assert.Equal($"{LfwProtocol.FoldDirectory(c, 1)}: trained on the people of fold 2, so that fold's pairs cannot choose its threshold", refused.Message);
        Assert.False(Directory.Exists(work.Combine("ac2")));
        Assert.Equal(0.975, Assert.Single(LfwProtocolFusion.Rescore(Pairs(), a, [1], work.Combine("a2"), LfwThresholdRule.HeldOutFold).Folds).Threshold, 12);
    }

    [Fact]
    public void DoneFusesTheFoldsEveryRunFinishedAndMistakesAreOneLineWithNothingWritten()
    {
        using var work = new TempDirectory();
        var a = WriteRun(work.Combine("a"), 1, WithTrainingFolds(0.9, 0.3, 0.1, 0.2));
        WriteRun(a, 2, WithTrainingFolds(0.9, 0.3, 0.1, 0.2));
        var b = WriteRun(work.Combine("b"), 1, WithTrainingFolds(0.5, 0.8, 0.6, 0.1));
        var pairs = Pairs();
        var output = work.Combine("fused");

        Assert.Equal([1], LfwProtocolFusion.Fuse(pairs, [a, b], null, output).Folds.Select(f => f.Fold));
        Directory.Delete(output, recursive: true);

        var missing = Path.Combine(b, "fold-2", LfwProtocol.ResultFile);
        Assert.Equal($"{missing}: not found; that run has not finished fold 2",
            Assert.Throws<MarginFaceException>(() => LfwProtocolFusion.Fuse(pairs, [a, b], [1, 2], output)).Message);
        Assert.Equal("score fusion needs at least two runs, got 1", Assert.Throws<MarginFaceException>(() => LfwProtocolFusion.Fuse(pairs, [a], null, output)).Message);
        Assert.Equal($"{a}/: the run is given twice", Assert.Throws<MarginFaceException>(() => LfwProtocolFusion.Fuse(pairs, [a + "/", a, b], null, output)).Message);
        Assert.Equal($"{a}: the output directory is one of the fused runs", Assert.Throws<MarginFaceException>(() => LfwProtocolFusion.Fuse(pairs, [a, b], null, a)).Message);
        Assert.Equal($"{work.Combine("none")}: no such run directory", Assert.Throws<MarginFaceException>(() => LfwProtocolFusion.Fuse(pairs, [a, work.Combine("none")], null, output)).Message);
        Assert.Equal($"no fold is finished in all of {a}, {work.Combine("empty")}",
            Assert.Throws<MarginFaceException>(() => LfwProtocolFusion.Fuse(pairs, [a, Directory.CreateDirectory(work.Combine("empty")).FullName], null, output)).Message);

        var scoresPath = Path.Combine(b, "fold-1", "scores.tsv");
        File.WriteAllLines(scoresPath, File.ReadAllLines(scoresPath).SkipLast(1));
        var error = Assert.Throws<MarginFaceException>(() => LfwProtocolFusion.Fuse(pairs, [a, b], null, output)).Message;
        Assert.StartsWith(scoresPath, error);
        Assert.DoesNotContain('\n', error);
        Assert.False(Directory.Exists(output));
    }
}
