using MarginFace.Evaluation;

namespace MarginFace.Tests.Evaluation;

public class RocCurveTests
{
    [Fact]
    public void WorkedExampleAucAndEer()
    {
        var (scores, same, _) = VerificationProtocolTests.WorkedExample();
        var roc = RocCurve.Compute(scores, same);
        // Same 18 16 14 13 8 6, different 12 10 7 4 2 1: each same score beats 6, 6, 6, 6, 4 and 3 different scores: AUC = 31/36.
        Assert.Equal(31.0 / 36, roc.Auc, 15);
        // By decreasing score S S S S D D S D S D D D: points (0,0) (0,1/6) … (0,4/6) (1/6,4/6) (2/6,4/6), where FAR = 1 − TAR = 1/3.
        Assert.Equal(1.0 / 3, roc.Eer, 15);
        Assert.Equal(13, roc.Points.Count);
        Assert.Equal(new RocPoint(12, 1.0 / 6, 4.0 / 6), roc.Points[5]);
    }

    [Fact]
    public void SeparableScoresHaveAucOneAndEerZero()
    {
        var roc = RocCurve.Compute([0.9, 0.8, 0.3, 0.1], [true, true, false, false]);
        Assert.Equal(1.0, roc.Auc);
        Assert.Equal(0.0, roc.Eer);
        Assert.Equal(1.0, roc.TarAtFar(0));
    }

    [Fact]
    public void ReversedScoresHaveAucZeroAndEerOne()
    {
        var roc = RocCurve.Compute([0.1, 0.2, 0.8, 0.9], [true, true, false, false]);
        Assert.Equal(0.0, roc.Auc);
        Assert.Equal(1.0, roc.Eer);
    }

    [Fact]
    public void TiesBetweenClassesCountOneHalf()
    {
        // Same 0.8, 0.5; different 0.5, 0.2: 0.8 beats both, 0.5 beats 0.2 and ties 0.5: (1 + 1 + 1 + ½)/4.
        var roc = RocCurve.Compute([0.8, 0.5, 0.5, 0.2], [true, true, false, false]);
        Assert.Equal(0.875, roc.Auc);
        // Points (0,½) then (½,1) through the tie: the diagonal segment meets FAR = 1 − TAR halfway, at (¼, ¾).
        Assert.Equal(0.25, roc.Eer);
        var allTied = RocCurve.Compute([1, 1, 1, 1], [true, false, true, false]);
        Assert.Equal(0.5, allTied.Auc);
        Assert.Equal(0.5, allTied.Eer);
    }

    [Fact]
    public void TarAtFarIsTheLargestTarWhoseFarIsAtMostTheTarget()
    {
        // 100 different pairs at 0.00, 0.01, …, 0.99; same pairs: 10 at 0.995, 10 at 0.985, 80 at 0.5.
        var scores = new List<double>();
        var same = new List<bool>();
        for (int i = 0; i < 100; i++) { scores.Add(i / 100.0); same.Add(false); }
        for (int i = 0; i < 10; i++) { scores.Add(0.995); same.Add(true); }
        for (int i = 0; i < 10; i++) { scores.Add(0.985); same.Add(true); }
        for (int i = 0; i < 80; i++) { scores.Add(0.5); same.Add(true); }
        var roc = RocCurve.Compute(scores, same);
        // t = 0.995: FAR 0, TAR 0.1; t = 0.99: FAR 0.01, TAR 0.1; t = 0.985: FAR 0.01, TAR 0.2; t = 0.98: FAR 0.02.
        Assert.Equal(0.2, roc.TarAtFar(1e-2), 15);
        Assert.Equal(0.1, roc.TarAtFar(1e-3), 15);
        Assert.Equal(1.0, roc.TarAtFar(0.5));
        // AUC: 10 at 0.995 beat all 100 different pairs, 10 at 0.985 beat 99, 80 at 0.5 beat 50 and tie 1: (10·100 + 10·99 + 80·50.5)/(100·100).
        Assert.Equal((10 * 100 + 10 * 99 + 80 * 50.5) / 10000, roc.Auc, 15);
    }

    [Fact]
    public void OneClassOnlyIsRefused() =>
        Assert.Throws<ArgumentException>(() => RocCurve.Compute([0.1, 0.2], [true, true]));
}
