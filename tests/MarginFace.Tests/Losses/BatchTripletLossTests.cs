using TorchSharp;
using Xunit.Abstractions;
using MarginFace.Losses.Mining;
using MarginFace.Losses;
using static MarginFace.Tests.Losses.Numerics;
using static TorchSharp.torch;

namespace MarginFace.Tests.Losses;

public class BatchTripletLossTests(ITestOutputHelper output) : TorchTest
{
    internal static readonly long[] PkLabels = { 3, 3, 3, 1, 1, 1, 7, 7, 0, 0 };

    [Theory]
    [InlineData(TripletMining.All)]
    [InlineData(TripletMining.Hard)]
    [InlineData(TripletMining.SemiHard)]
    public void Float64ValueMatchesPlainFormula(TripletMining mining)
    {
        var worst = 0.0;
        for (var seed = 0; seed < 20; seed++)
        {
            var x = Normal(new Random(seed), PkLabels.Length, 3);
            using var loss = new BatchTripletLoss(0.5, mining).forward(T(x), T(PkLabels));
            var expected = Reference.BatchTriplet(x, PkLabels, 0.5, mining).Loss;
            worst = Math.Max(worst, expected == 0 ? Math.Abs(loss.item<double>()) : RelErr(loss.item<double>(), expected));
        }
        output.WriteLine($"VALUE batch-triplet {mining} relerr={worst:E2}");
        Assert.True(worst < 1e-9, $"relative error {worst}");
    }

    [Theory]
    [InlineData(TripletMining.All)]
    [InlineData(TripletMining.Hard)]
    [InlineData(TripletMining.SemiHard)]
    public void Float64GradientMatchesFiniteDifferences(TripletMining mining)
    {
        // First seed whose mining choices and hinges are at least 1e-2 from a tie (the FD step spans 2e-4).
        var (x, gap) = Enumerable.Range(100, 200)
            .Select(s => Normal(new Random(s), PkLabels.Length, 3))
            .Select(m => (m, Reference.BatchTriplet(m, PkLabels, 0.5, mining).MinGap))
            .First(t => t.MinGap > 1e-2);
        var module = new BatchTripletLoss(0.5, mining);
        var err = GradientCheck(a => module.forward(a[0], T(PkLabels)), new[] { T(x) });
        output.WriteLine($"GRADCHECK batch-triplet {mining} relerr={err:E2} (gap {gap:F3})");
        Assert.True(err < 1e-9, $"relative error {err}");
    }

    [Theory]
    [InlineData(TripletMining.All)]
    [InlineData(TripletMining.Hard)]
    [InlineData(TripletMining.SemiHard)]
    public void BatchWithoutPositivePairsGivesZeroLossWithZeroGradient(TripletMining mining)
    {
        using var x = torch.randn(4, 3).requires_grad_(true);
        using var loss = new BatchTripletLoss(0.2, mining).forward(x, torch.tensor(new long[] { 0, 1, 2, 3 }));
        Assert.True(loss.requires_grad);
        loss.backward();
        Assert.Equal(0f, loss.item<float>());
        Assert.Equal(0f, x.grad!.abs().max().item<float>());
    }

    [Theory]
    [InlineData(TripletMining.All)]
    [InlineData(TripletMining.Hard)]
    [InlineData(TripletMining.SemiHard)]
    public void BatchWithoutNegativesGivesZeroLoss(TripletMining mining)
    {
        using var x = torch.randn(4, 3).requires_grad_(true);
        using var loss = new BatchTripletLoss(0.2, mining).forward(x, torch.tensor(new long[] { 5, 5, 5, 5 }));
        loss.backward();
        Assert.Equal(0f, loss.item<float>());
        Assert.True(AllFinite(x.grad!));
    }

    [Fact]
    public void SemiHardFallsBackToTheFarthestNegative()
    {
        // Anchor 0 at the origin, positive 1 far away; both negatives are closer than the positive.
        var x = new[] { new[] { 0.0 }, new[] { 10.0 }, new[] { 1.0 }, new[] { 2.0 } };
        var labels = new long[] { 0, 0, 1, 2 };
        var (a, p, n) = TripletMiner.Mine(MarginFace.Losses.Mining.PairwiseDistance.SquaredEuclidean(T(x)), T(labels), TripletMining.SemiHard);
        Assert.Equal(new long[] { 0, 1 }, a.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 0 }, p.data<long>().ToArray());
        Assert.Equal(3L, n[0].item<long>()); // farthest negative of anchor 0 (d = 4 vs 1)
        Assert.Equal(2L, n[1].item<long>()); // anchor 10: negatives at d = 81, 64; none > 100, farthest is x = 1
    }

    [Fact]
    public void NegativeMarginIsRejected() =>
        Assert.Equal("margin", Assert.ThrowsAny<ArgumentException>(() => new BatchTripletLoss(-0.2, TripletMining.Hard)).ParamName);

    [Fact]
    public void FloatLabelsAreRejected()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new BatchTripletLoss(0.2, TripletMining.All).forward(torch.zeros(3, 2), torch.zeros(3)));
        Assert.Equal("labels", ex.ParamName);
    }

    [Fact]
    public void ModuleMovedToFloat64ComputesInFloat64()
    {
        var module = new BatchTripletLoss(0.2, TripletMining.Hard).to(ScalarType.Float64);
        using var loss = module.forward(torch.randn(10, 3, dtype: ScalarType.Float64), T(PkLabels));
        Assert.Equal(ScalarType.Float64, loss.dtype);
    }
}
