using TorchSharp;
using Xunit.Abstractions;
using MarginFace.Losses;
using static MarginFace.Tests.Losses.Numerics;
using static TorchSharp.torch;

namespace MarginFace.Tests.Losses;

public class TripletLossTests(ITestOutputHelper output) : TorchTest
{
    [Fact]
    public void Float64ValueMatchesPlainFormula()
    {
        var rng = new Random(11);
        var (a, p, n) = (Normal(rng, 7, 4), Normal(rng, 7, 4), Normal(rng, 7, 4));
        using var loss = new TripletLoss(1.5).forward(T(a), T(p), T(n));
        var err = RelErr(loss.item<double>(), Reference.Triplet(a, p, n, 1.5));
        output.WriteLine($"VALUE triplet relerr={err:E2}");
        Assert.True(err < 1e-9, $"relative error {err}");
    }

    [Fact]
    public void Float64GradientMatchesFiniteDifferences()
    {
        var rng = new Random(12);
        var (a, p, n) = (Normal(rng, 7, 4), Normal(rng, 7, 4), Normal(rng, 7, 4));
        const double margin = 1.5;
        var minHinge = a.Select((_, i) => Math.Abs(Reference.SqDist(a[i], p[i]) - Reference.SqDist(a[i], n[i]) + margin)).Min();
        Assert.True(minHinge > 1e-2, "inputs must stay away from the hinge");
        var module = new TripletLoss(margin);
        var err = GradientCheck(x => module.forward(x[0], x[1], x[2]), new[] { T(a), T(p), T(n) });
        output.WriteLine($"GRADCHECK triplet relerr={err:E2}");
        Assert.True(err < 1e-9, $"relative error {err}");
    }

    [Fact]
    public void IdenticalFloat32PointsGiveFiniteGradients()
    {
        using var a = torch.ones(3, 4).requires_grad_(true);
        using var loss = new TripletLoss().forward(a, a, a);
        loss.backward();
        Assert.Equal(0.2, loss.item<float>(), 6);
        Assert.True(AllFinite(a.grad!));
    }

    [Fact]
    public void ShapeMismatchNamesTheArgument()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new TripletLoss().forward(torch.zeros(3, 4), torch.zeros(3, 4), torch.zeros(3, 5)));
        Assert.Equal("negative", ex.ParamName);
    }

    [Fact]
    public void DtypeMismatchNamesTheArgument()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() =>
            new TripletLoss().forward(torch.zeros(3, 4), torch.zeros(3, 4, dtype: ScalarType.Float64), torch.zeros(3, 4)));
        Assert.Equal("positive", ex.ParamName);
    }

    [Fact]
    public void NegativeMarginIsRejected() =>
        Assert.Equal("margin", Assert.ThrowsAny<ArgumentException>(() => new TripletLoss(-0.1)).ParamName);

    [Fact]
    public void EmptyBatchGivesZeroAttachedToTheGraph()
    {
        using var a = torch.zeros(0, 4).requires_grad_(true);
        using var loss = new TripletLoss().forward(a, a, a);
        Assert.Equal(0f, loss.item<float>());
        Assert.True(loss.requires_grad);
    }
}
