using TorchSharp;
using MarginFace.Losses.Mining;
using static MarginFace.Tests.Losses.Numerics;

namespace MarginFace.Tests.Losses.Mining;

public class PairwiseDistanceTests : TorchTest
{
    [Fact]
    public void Float64MatrixMatchesDirectDifferences()
    {
        var x = Normal(new Random(41), 6, 5);
        var d = Flat(PairwiseDistance.SquaredEuclidean(T(x)));
        for (var i = 0; i < 6; i++)
            for (var j = 0; j < 6; j++)
            {
                var expected = Reference.SqDist(x[i], x[j]);
                Assert.True(Math.Abs(d[i * 6 + j] - expected) <= 1e-12 * Math.Max(1, expected));
            }
    }

    [Fact]
    public void DiagonalIsExactlyZeroAndDuplicatesAreNonNegativeForLargeFloat32Values()
    {
        using var row = torch.randn(1, 8).mul(1e4);
        using var x = torch.cat(new[] { row, row, row.mul(-1) }, 0);
        using var d = PairwiseDistance.SquaredEuclidean(x);
        Assert.Equal(0f, d.diagonal().abs().max().item<float>());
        Assert.True(d.min().item<float>() >= 0);
        Assert.True(AllFinite(d));
    }

    [Fact]
    public void GradientIsFiniteForRepeatedRows()
    {
        using var x = torch.ones(3, 4).requires_grad_(true);
        PairwiseDistance.SquaredEuclidean(x).sum().backward();
        Assert.True(AllFinite(x.grad!));
    }

    [Fact]
    public void NonMatrixInputNamesX() =>
        Assert.Equal("x", Assert.ThrowsAny<ArgumentException>(() => PairwiseDistance.SquaredEuclidean(torch.zeros(3))).ParamName);
}
