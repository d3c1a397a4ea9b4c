using MarginFace.Evaluation;

namespace MarginFace.Tests.Evaluation;

public class VerificationProtocolTests
{
    /// <summary>
    /// The worked example of docs/evaluation.md: three folds of two same (S) and two different (D) pairs with integer scores.
    /// fold 1: S 18, S 8, D 10, D 2;  fold 2: S 16, S 14, D 12, D 4;  fold 3: S 13, S 6, D 7, D 1.
    /// </summary>
    internal static (double[] Scores, bool[] Same, int[] Folds) WorkedExample() =>
        ([18, 8, 10, 2, 16, 14, 12, 4, 13, 6, 7, 1],
         [true, true, false, false, true, true, false, false, true, true, false, false],
         [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);

    [Fact]
    public void WorkedExampleMatchesTheHandComputation()
    {
        var (scores, same, folds) = WorkedExample();
        var result = VerificationProtocol.Evaluate(scores, same, folds);

        // Test fold 1, training folds 2 and 3 sorted: 1D 4D 6S 7D 12D 13S 14S 16S. Everything "same" gets the 4 S right; moving the
        // threshold past each score: 1D→5, 4D→6, 6S→5, 7D→6, 12D→7, 13S→6, 14S→5, 16S→4. Best 7/8 between 12 and 13: t = 12.5.
        // Fold 1 at 12.5: S 18 right, S 8 wrong, D 10 right, D 2 right: 3/4.
        Assert.Equal(12.5, result.Folds[0].Threshold);
        Assert.Equal(0.75, result.Folds[0].Accuracy);

        // Test fold 2, training 1D 2D 6S 7D 8S 10D 13S 18S: 4 → 1D 5, 2D 6, 6S 5, 7D 6, 8S 5, 10D 6, 13S 5, 18S 4.
        // 6/8 at t = 4, 7.5 and 11.5: the lowest, 4, wins. Fold 2 at 4: S 16, S 14 right; D 12 wrong; D 4 is not > 4, right: 3/4.
        Assert.Equal(4, result.Folds[1].Threshold);
        Assert.Equal(0.75, result.Folds[1].Accuracy);

        // Test fold 3, training 2D 4D 8S 10D 12D 14S 16S 18S: 4 → 2D 5, 4D 6, 8S 5, 10D 6, 12D 7, 14S 6, 16S 5, 18S 4.
        // Best 7/8 at t = 13. Fold 3 at 13: S 13 is not > 13, wrong; S 6 wrong; D 7, D 1 right: 2/4.
        Assert.Equal(13, result.Folds[2].Threshold);
        Assert.Equal(0.5, result.Folds[2].Accuracy);

        // Mean 2/3; deviations 1/12, 1/12, −1/6; sample variance (1/144 + 1/144 + 4/144)/2 = 1/48; SE = √(1/48)/√3 = 1/12.
        Assert.Equal(2.0 / 3, result.MeanAccuracy, 15);
        Assert.Equal(1.0 / 12, result.StandardError, 15);
        Assert.All(result.Folds, f => Assert.Equal(4, f.Pairs));
    }

    [Fact]
    public void PerfectlySeparableScoresGiveHundredPercentInEveryFold()
    {
        var random = new Random(1);
        int n = 600;
        var same = Enumerable.Range(0, n).Select(i => i % 2 == 0).ToArray();
        var scores = same.Select(s => s ? 0.6 + 0.4 * random.NextDouble() : 0.5 * random.NextDouble()).ToArray();
        var folds = Enumerable.Range(0, n).Select(i => i / 60).ToArray();
        var result = VerificationProtocol.Evaluate(scores, same, folds);
        Assert.Equal(10, result.Folds.Count);
        Assert.All(result.Folds, f => Assert.Equal(1.0, f.Accuracy));
        Assert.All(result.Folds, f => Assert.InRange(f.Threshold, 0.5, 0.6));
        Assert.Equal(1.0, result.MeanAccuracy);
        Assert.Equal(0.0, result.StandardError);
    }

    [Fact]
    public void AllScoresTiedLeaveOnlyEverythingSameOrEverythingDifferentAndTheLowerWins()
    {
        double[] scores = [0.5, 0.5, 0.5, 0.5];
        bool[] same = [true, false, true, false];
        int[] folds = [0, 0, 1, 1];
        var result = VerificationProtocol.Evaluate(scores, same, folds);
        // Both candidates are right on 1 of 2 training pairs; the lower, 0.5 − 1, calls every test pair "same".
        Assert.All(result.Folds, f => Assert.Equal(-0.5, f.Threshold));
        Assert.All(result.Folds, f => Assert.Equal(0.5, f.Accuracy));
    }

    [Fact]
    public void TiedScoresAcrossLabelsAreNeverSplit()
    {
        // Training fold 2: S 3, S 2, D 2, D 1. A threshold can only pass both 2s at once: 2 right ("everything same"), 1D → 3, {2S,2D} → 3,
        // 3S → 2. Best 3/4 at 1.5 (the lower of 1.5 and 2.5).
        double[] scores = [5, 0, 3, 2, 2, 1];
        bool[] same = [true, false, true, true, false, false];
        int[] folds = [0, 0, 1, 1, 1, 1];
        var result = VerificationProtocol.Evaluate(scores, same, folds);
        Assert.Equal(1.5, result.Folds[0].Threshold);
        Assert.Equal(1.0, result.Folds[0].Accuracy);
    }

    [Fact]
    public void SweepAgreesWithTryingEveryCandidateThresholdOnRandomScoresWithTies()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = 40 + random.Next(60), foldCount = 2 + random.Next(5);
            var same = Enumerable.Range(0, n).Select(_ => random.Next(2) == 0).ToArray();
            var scores = same.Select(s => Math.Round((s ? 0.3 : 0) + random.NextDouble(), 1)).ToArray();
            var folds = Enumerable.Range(0, n).Select(i => i % foldCount).ToArray();
            var result = VerificationProtocol.Evaluate(scores, same, folds);
            for (int k = 0; k < foldCount; k++)
            {
                var train = Enumerable.Range(0, n).Where(i => folds[i] != k).ToArray();
                var distinct = train.Select(i => scores[i]).Distinct().Order().ToArray();
                var candidates = new List<double> { distinct[0] - 1 };
                for (int j = 0; j + 1 < distinct.Length; j++) candidates.Add((distinct[j] + distinct[j + 1]) / 2);
                candidates.Add(distinct[^1] + 1);
                int Correct(double t) => train.Count(i => scores[i] > t == same[i]);
                int best = candidates.Max(Correct);
                double expected = candidates.First(t => Correct(t) == best);
                Assert.Equal(expected, result.Folds[k].Threshold, 12);
                var test = Enumerable.Range(0, n).Where(i => folds[i] == k).ToArray();
                Assert.Equal((double)test.Count(i => scores[i] > expected == same[i]) / test.Length, result.Folds[k].Accuracy);
            }
        }
    }

    [Fact]
    public void MidpointOfAdjacentDoublesStillSeparatesThem()
    {
        double a = 0.1, b = Math.BitIncrement(0.1);
        double t = VerificationProtocol.Midpoint(a, b);
        Assert.False(a > t);
        Assert.True(b > t);
    }

    [Fact]
    public void SixThousandPairsInTenFoldsGiveTheAccuracyOfTheirOverlap()
    {
        var random = new Random(3);
        int n = 6000;
        var same = Enumerable.Range(0, n).Select(i => i % 600 < 300).ToArray();
        var scores = same.Select(s => (s ? 0.5 : 0) + random.NextDouble()).ToArray();
        var folds = Enumerable.Range(0, n).Select(i => i / 600).ToArray();
        var result = VerificationProtocol.Evaluate(scores, same, folds);
        Assert.InRange(result.MeanAccuracy, 0.7, 0.8); // two uniform scores shifted by 0.5 overlap on half: 75 % at the best threshold
    }

    [Theory]
    [InlineData(new[] { 0, 0 }, "at least two folds")]
    [InlineData(new[] { 0, 2 }, "fold 1 has no pairs")]
    [InlineData(new[] { 0, -1 }, "fold index 1 is negative")]
    public void BadFoldsAreRefused(int[] folds, string problem) =>
        Assert.Contains(problem, Assert.Throws<ArgumentException>(() => VerificationProtocol.Evaluate([1, 2], [true, false], folds)).Message);

    [Fact]
    public void TheBalancedThresholdWeighsSamePairsAndHalvesTheTwoSides()
    {
        double[] different = [0.1, 0.2, 0.4, 0.6];
        // Equal weights: past 0.2, TPR 3/3 and TNR 2/4 give 0.75; past 0.4, (2/3 + 3/4)/2 = 17/24 is less, so t = (0.2 + 0.3)/2.
        var equal = VerificationProtocol.BestBalancedThreshold([0.9, 0.5, 0.3], [1, 1, 1], different);
        Assert.Equal(0.25, equal.Threshold, 12);
        Assert.Equal(0.75, equal.Accuracy, 12);
        Assert.Equal(7, equal.Pairs);
        // The pair at 0.3 weighing 1/4 of the others: past 0.4, TPR 2/2.25 = 8/9 and TNR 3/4 give 59/72 > 0.75, so t = (0.4 + 0.5)/2.
        var weighted = VerificationProtocol.BestBalancedThreshold([0.9, 0.5, 0.3], [1, 1, 0.25], different);
        Assert.Equal(0.45, weighted.Threshold, 12);
        Assert.Equal(59.0 / 72, weighted.Accuracy, 12);
        // One same pair against four different ones: balanced, so the threshold still splits them (plain accuracy would too, but 4/5 at worst).
        var separable = VerificationProtocol.BestBalancedThreshold([0.7], [3], different);
        Assert.Equal((0.6 + 0.7) / 2, separable.Threshold, 12);
        Assert.Equal(1, separable.Accuracy, 12);
    }

    [Fact]
    public void TheNormalFitThresholdIsWhereTheTwoFittedDensitiesAreEqual()
    {
        // Equal deviations (0.1): halfway between the means 0.5 and 0; the weighted same side [0.4, 0.6, 0.6] x [1, 0.5, 0.5] fits N(0.5, 0.1²) too.
        Assert.Equal(0.25, VerificationProtocol.NormalFitThreshold([0.4, 0.6], [1, 1], [-0.1, 0.1]), 12);
        Assert.Equal(0.25, VerificationProtocol.NormalFitThreshold([0.4, 0.6, 0.6], [1, 0.5, 0.5], [-0.1, 0.1]), 12);
        // N(0.5, 0.2²) against N(0, 0.1²): 25(t − 0.5)² − 100t² = 2 ln(0.1/0.2), i.e. 75t² + 25t − (6.25 + 2 ln 2) = 0.
        var expected = (-25 + Math.Sqrt(625 + 300 * (6.25 + 2 * Math.Log(2)))) / 150;
        Assert.Equal(expected, VerificationProtocol.NormalFitThreshold([0.3, 0.7], [1, 1], [-0.1, 0.1]), 12);
        Assert.InRange(expected, 0.19, 0.20);
        Assert.Contains("do not cross once between the means",
            Assert.Throws<MarginFaceException>(() => VerificationProtocol.NormalFitThreshold([-0.1, 0.1], [1, 1], [0.4, 0.6])).Message);
    }

    [Fact]
    public void AmongEquallyBalancedThresholdsTheLowestWins()
    {
        // Below everything: TPR 1, TNR 0 = 0.5; past 0.2: TPR 0, TNR 1 = 0.5 too, and every other candidate is 0.5 as well.
        var result = VerificationProtocol.BestBalancedThreshold([0.1], [1], [0.2]);
        Assert.Equal(0.5, result.Accuracy, 12);
        Assert.True(result.Threshold < 0.1);
        Assert.Contains("weight 0 is 0", Assert.Throws<ArgumentException>(() => VerificationProtocol.BestBalancedThreshold([0.1], [0], [0.2])).Message);
        Assert.Contains("no different-person pairs", Assert.Throws<ArgumentException>(() => VerificationProtocol.BestBalancedThreshold([0.1], [1], [])).Message);
    }

    [Fact]
    public void NonFiniteScoresAreRefused() =>
        Assert.Contains("score 1 is NaN", Assert.Throws<ArgumentException>(() => VerificationProtocol.Evaluate([1, double.NaN], [true, false], [0, 1])).Message);
}
