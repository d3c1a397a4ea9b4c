using MarginFace.Evaluation;

namespace MarginFace.Tests.Evaluation;

/// <summary>arcface_torch's verification rule (its <c>eval/verification.py</c>) on examples worked out by hand.</summary>
public class ArcFaceVerificationRuleTests
{
    [Fact]
    public void FoldsAreKFoldsInFileOrder()
    {
        // KFold(10) of 23 pairs: the first 23 mod 10 = 3 folds hold 3 pairs, the other 7 hold 2.
        var folds = ArcFaceVerificationRule.FoldIndices(23);
        Assert.Equal([3, 3, 3, 2, 2, 2, 2, 2, 2, 2], Enumerable.Range(0, 10).Select(k => folds.Count(f => f == k)));
        Assert.Equal(folds.Order(), folds);
        Assert.Throws<MarginFaceException>(() => ArcFaceVerificationRule.FoldIndices(9));
    }

    [Fact]
    public void ThresholdsAreNumPysArange()
    {
        Assert.Equal(400, ArcFaceVerificationRule.AccuracyThresholds.Count);
        Assert.Equal(3.99, ArcFaceVerificationRule.AccuracyThresholds[^1], 12);
        Assert.Equal(4000, ArcFaceVerificationRule.ValThresholds.Count);
    }

    [Fact]
    public void AccuracyAndValOnTwoFoldsByHand()
    {
        // Two folds of four pairs (distances off both threshold grids, so no pair sits on a threshold):
        //   fold 1: same 0.5055, 1.0055; different 1.2055, 1.9055
        //   fold 2: same 0.3055, 1.4555; different 1.1055, 2.5055
        // Accuracy, "same" when distance < t:
        //   fold 1 tests at the threshold best on fold 2: accuracy 2/4 for t ≤ 0.3055, 3/4 up to 1.1055, 2/4 up to 1.4555,
        //   3/4 up to 2.5055, 2/4 beyond; the first best grid value (np.argmax) is 0.31. On fold 1 at 0.31 nothing is
        //   accepted: 2 true rejects of 4 = 0.5.
        //   fold 2 tests at the threshold best on fold 1: 4/4 for 1.0055 < t ≤ 1.2055, first at 1.01. On fold 2 at 1.01:
        //   0.3055 accepted (same), 1.4555 rejected (same: miss), 1.1055 and 2.5055 rejected (different) = 0.75.
        //   mean 0.625, population std 0.125.
        // VAL at FAR 1e-3 (thresholds i/1000): fold 1 trains on fold 2's different pairs: FAR 0 up to i = 1105 (1.105 ≤
        //   1.1055), 0.5 from i = 1106; interpolating FAR 0.001 between (0, 1.105) and (0.5, 1.106) gives
        //   1.105 + 0.001/0.5 × 0.001 = 1.105002. Fold 1 at it: both same pairs accepted (VAL 1), no different (FAR 0).
        //   fold 2 on fold 1's: FAR 0 up to 1.205, 0.5 from 1.206: threshold 1.205002. Fold 2 at it: 0.3055 accepted,
        //   1.4555 not (VAL 0.5), 1.1055 falsely accepted (FAR 0.5). VAL 0.75 ± 0.25, FAR 0.25.
        double[] distances = [0.5055, 1.0055, 1.2055, 1.9055, 0.3055, 1.4555, 1.1055, 2.5055];
        bool[] same = [true, true, false, false, true, true, false, false];
        var result = ArcFaceVerificationRule.EvaluateDistances(distances, same, folds: 2);
        Assert.Equal([0.31, 1.01], result.FoldThresholds.Select(t => Math.Round(t, 12)));
        Assert.Equal([0.5, 0.75], result.FoldAccuracies);
        Assert.Equal(0.625, result.Accuracy, 12);
        Assert.Equal(0.125, result.AccuracyStd, 12);
        Assert.Equal(0.75, result.Val, 12);
        Assert.Equal(0.25, result.ValStd, 12);
        Assert.Equal(0.25, result.Far, 12);
    }

    [Fact]
    public void InterpolatesLikeScipysSlinearAtARepeatedEnd()
    {
        double[] far = [0, 0, 0.5, 0.5, 1, 1];
        double[] thresholds = [0, 1, 2, 3, 4, 5];
        Assert.Equal(1.002, ArcFaceVerificationRule.Interpolate(far, thresholds, 0.001), 12); // last of the zeros, towards the next point
        Assert.Equal(3, ArcFaceVerificationRule.Interpolate(far, thresholds, 0.5), 12); // the last of equal values
        Assert.Equal(4, ArcFaceVerificationRule.Interpolate(far, thresholds, 1), 12); // the right end: the first point of the last value
    }

    [Fact]
    public void EmbeddingsAreNormalisedBeforeTheSquaredDistance()
    {
        // (3, 0) → (1, 0) and (0, 0.5) → (0, 1): squared distance 2; opposite directions: 4.
        Assert.Equal(2, ArcFaceVerificationRule.SquaredDistance([3, 0], [0, 0.5f]), 12);
        Assert.Equal(4, ArcFaceVerificationRule.SquaredDistance([2, 0], [-1, 0]), 12);
        var pairs = Enumerable.Range(0, 10).ToArray();
        var result = ArcFaceVerificationRule.Evaluate(
            pairs.Select(_ => new float[] { 2, 0 }).ToArray(),
            pairs.Select(i => i % 2 == 0 ? new float[] { 5, 0.1f } : [0, 1]).ToArray(),
            pairs.Select(i => i % 2 == 0).ToArray());
        Assert.Equal(1.0, result.Accuracy);
    }
}
