using TorchSharp;
using Xunit.Abstractions;
using MarginFace.Losses;
using static MarginFace.Tests.Losses.Numerics;
using static TorchSharp.torch;

namespace MarginFace.Tests.Losses;

public class ContrastiveLossTests(ITestOutputHelper output) : TorchTest
{
    private static readonly double[] Flags = { 0, 1, 1, 0, 1, 0, 1, 1 };

    [Fact]
    public void Float64ValueMatchesPlainFormula()
    {
        var rng = new Random(21);
        var (x1, x2) = (Normal(rng, 8, 3), Normal(rng, 8, 3));
        using var loss = new ContrastiveLoss(2.5).forward(T(x1), T(x2), torch.tensor(Flags));
        var err = RelErr(loss.item<double>(), Reference.Contrastive(x1, x2, Flags, 2.5));
        output.WriteLine($"VALUE contrastive relerr={err:E2}");
        Assert.True(err < 1e-9, $"relative error {err}");
    }

    [Fact]
    public void Float64GradientMatchesFiniteDifferences()
    {
        var rng = new Random(22);
        var (x1, x2) = (Normal(rng, 8, 3), Normal(rng, 8, 3));
        const double margin = 2.5;
        var gap = x1.Select((_, i) => Math.Abs(margin - Math.Sqrt(Reference.SqDist(x1[i], x2[i])))).Min();
        Assert.True(gap > 1e-2, "inputs must stay away from d = margin");
        var module = new ContrastiveLoss(margin);
        var err = GradientCheck(x => module.forward(x[0], x[1], torch.tensor(Flags)), new[] { T(x1), T(x2) });
        output.WriteLine($"GRADCHECK contrastive relerr={err:E2}");
        Assert.True(err < 1e-9, $"relative error {err}");
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void IdenticalPairsGiveFiniteGradients(ScalarType dtype)
    {
        using var x = torch.randn(4, 3, dtype: dtype).requires_grad_(true);
        using var y = x.detach().clone().requires_grad_(true);
        using var t = torch.tensor(new[] { 0, 1, 0, 1 });
        using var loss = new ContrastiveLoss(2).forward(x, y, t);
        loss.backward();
        Assert.Equal(2.0, loss.ToDouble(), 5); // two dissimilar identical pairs: (2² + 2²) / 4
        Assert.True(AllFinite(x.grad!));
        Assert.True(AllFinite(y.grad!));
    }

    [Fact]
    public void BoolIntAndFloatFlagsGiveTheSameLoss()
    {
        var rng = new Random(23);
        var (x1, x2) = (Normal(rng, 8, 3), Normal(rng, 8, 3));
        var module = new ContrastiveLoss();
        var asFloat = module.forward(T(x1), T(x2), torch.tensor(Flags)).item<double>();
        var asInt = module.forward(T(x1), T(x2), torch.tensor(Flags.Select(f => (long)f).ToArray())).item<double>();
        var asBool = module.forward(T(x1), T(x2), torch.tensor(Flags.Select(f => f == 1).ToArray())).item<double>();
        Assert.Equal(asFloat, asInt);
        Assert.Equal(asFloat, asBool);
    }

    [Fact]
    public void FlagsOtherThanZeroOrOneAreRejected()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() =>
            new ContrastiveLoss().forward(torch.zeros(2, 3), torch.zeros(2, 3), torch.tensor(new[] { 0, 2 })));
        Assert.Equal("dissimilar", ex.ParamName);
    }

    [Fact]
    public void FlagCountMismatchIsRejected()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() =>
            new ContrastiveLoss().forward(torch.zeros(2, 3), torch.zeros(2, 3), torch.tensor(new[] { 0, 1, 1 })));
        Assert.Equal("dissimilar", ex.ParamName);
    }

    [Fact]
    public void ShapeMismatchNamesTheArgument()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() =>
            new ContrastiveLoss().forward(torch.zeros(2, 3), torch.zeros(2, 4), torch.tensor(new[] { 0, 1 })));
        Assert.Equal("x2", ex.ParamName);
    }

    [Fact]
    public void NegativeMarginIsRejected() =>
        Assert.Equal("margin", Assert.ThrowsAny<ArgumentException>(() => new ContrastiveLoss(-1)).ParamName);
}
