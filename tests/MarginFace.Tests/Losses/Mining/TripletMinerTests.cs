using TorchSharp;
using MarginFace.Losses.Mining;
using static MarginFace.Tests.Losses.Numerics;

namespace MarginFace.Tests.Losses.Mining;

public class TripletMinerTests : TorchTest
{
    [Theory]
    [InlineData(TripletMining.All)]
    [InlineData(TripletMining.Hard)]
    [InlineData(TripletMining.SemiHard)]
    public void ChosenTripletsMatchThePlainImplementation(TripletMining mining)
    {
        for (var seed = 0; seed < 25; seed++)
        {
            var rng = new Random(seed);
            var labels = Enumerable.Range(0, 12).Select(_ => (long)rng.Next(4)).ToArray();
            var x = Normal(rng, labels.Length, 2);
            var (a, p, n) = TripletMiner.Mine(PairwiseDistance.SquaredEuclidean(T(x)), T(labels), mining);
            var actual = a.data<long>().ToArray().Select((ai, i) => ((int)ai, (int)p[i].item<long>(), (int)n[i].item<long>())).ToList();
            Assert.Equal(Reference.BatchTriplet(x, labels, 0.2, mining).Triplets, actual);
        }
    }

    [Fact]
    public void AllModeEnumeratesEveryValidTriplet()
    {
        var (a, _, _) = TripletMiner.Mine(torch.zeros(5, 5), T(new long[] { 0, 0, 0, 1, 1 }), TripletMining.All);
        // label 0: 3·2 pairs × 2 negatives; label 1: 2·1 pairs × 3 negatives
        Assert.Equal(12 + 6, a.shape[0]);
    }

    [Fact]
    public void TiesGoToTheLowestIndex()
    {
        var (_, _, n) = TripletMiner.Mine(torch.zeros(4, 4), T(new long[] { 0, 0, 1, 2 }), TripletMining.Hard);
        Assert.Equal(new long[] { 2, 2 }, n.data<long>().ToArray());
    }

    [Fact]
    public void InfiniteDistancesNeverSelectANonNegative()
    {
        using var d = torch.full(4, 4, float.PositiveInfinity);
        var (_, _, n) = TripletMiner.Mine(d, T(new long[] { 0, 0, 1, 2 }), TripletMining.SemiHard);
        Assert.All(n.data<long>().ToArray(), i => Assert.True(i >= 2));
    }

    [Fact]
    public void NonSquareDistancesAreRejected() =>
        Assert.Equal("distances", Assert.ThrowsAny<ArgumentException>(() =>
            TripletMiner.Mine(torch.zeros(3, 4), T(new long[] { 0, 0, 1 }), TripletMining.All)).ParamName);

    [Fact]
    public void LabelCountMismatchIsRejected() =>
        Assert.Equal("labels", Assert.ThrowsAny<ArgumentException>(() =>
            TripletMiner.Mine(torch.zeros(3, 3), T(new long[] { 0, 0 }), TripletMining.All)).ParamName);
}
