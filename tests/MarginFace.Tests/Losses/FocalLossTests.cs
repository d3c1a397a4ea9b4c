using TorchSharp;
using Xunit.Abstractions;
using MarginFace.Losses;
using static MarginFace.Tests.Losses.Numerics;
using static TorchSharp.torch;

namespace MarginFace.Tests.Losses;

public class FocalLossTests(ITestOutputHelper output) : TorchTest
{
    private static (double[][] Logits, long[] Labels) Batch(int seed, int b = 6, int c = 5, double scale = 2)
    {
        var rng = new Random(seed);
        return (Normal(rng, b, c, scale), Enumerable.Range(0, b).Select(_ => (long)rng.Next(c)).ToArray());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(5.0)]
    public void Float64ValueMatchesPlainFormula(double gamma)
    {
        var (z, y) = Batch(1);
        using var loss = new FocalLoss(gamma).forward(T(z), T(y));
        var err = RelErr(loss.item<double>(), Reference.Focal(z, y, gamma));
        output.WriteLine($"VALUE focal gamma={gamma} relerr={err:E2}");
        Assert.Equal(ScalarType.Float64, loss.dtype);
        Assert.True(err < 1e-9, $"relative error {err}");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void Float64GradientMatchesFiniteDifferences(double gamma)
    {
        var (z, y) = Batch(2);
        var module = new FocalLoss(gamma);
        var err = GradientCheck(a => module.forward(a[0], T(y)), new[] { T(z) });
        output.WriteLine($"GRADCHECK focal gamma={gamma} relerr={err:E2}");
        Assert.True(err < 1e-9, $"relative error {err}");
    }

    [Fact]
    public void GammaZeroIsCrossEntropy()
    {
        var (z, y) = Batch(3);
        using var focal = new FocalLoss(0).forward(T(z), T(y));
        using var ce = nn.functional.cross_entropy(T(z), T(y));
        Assert.Equal(ce.item<double>(), focal.item<double>(), 12);
    }

    [Fact]
    public void SaturatedFloat32LogitsGiveFiniteLossAndGradientForFractionalGamma()
    {
        using var logits = torch.tensor(new float[] { 1e4f, -1e4f, 0f, -1e4f, 1e4f, 0f }, new long[] { 2, 3 }).requires_grad_(true);
        using var labels = torch.tensor(new long[] { 0, 0 });
        using var loss = new FocalLoss(0.5).forward(logits, labels);
        loss.backward();
        Assert.True(AllFinite(loss));
        Assert.True(AllFinite(logits.grad!));
    }

    [Fact]
    public void ModuleMovedToFloat64ComputesInFloat64()
    {
        var (z, y) = Batch(4);
        var module = new FocalLoss().to(ScalarType.Float64);
        using var loss = module.forward(T(z), T(y));
        Assert.Equal(ScalarType.Float64, loss.dtype);
    }

    [Fact]
    public void NegativeGammaIsRejected() =>
        Assert.Equal("gamma", Assert.ThrowsAny<ArgumentException>(() => new FocalLoss(-1)).ParamName);

    [Fact]
    public void LabelsOutOfRangeAreRejected()
    {
        var (z, _) = Batch(5, b: 2, c: 3);
        var ex = Assert.ThrowsAny<ArgumentException>(() => new FocalLoss().forward(T(z), T(new long[] { 0, 3 })));
        Assert.Equal("labels", ex.ParamName);
    }

    [Fact]
    public void FloatLabelsAreRejected()
    {
        var (z, _) = Batch(5, b: 2, c: 3);
        var ex = Assert.ThrowsAny<ArgumentException>(() => new FocalLoss().forward(T(z), torch.zeros(2)));
        Assert.Equal("labels", ex.ParamName);
    }

    [Fact]
    public void LabelCountMismatchIsRejected()
    {
        var (z, _) = Batch(5, b: 2, c: 3);
        var ex = Assert.ThrowsAny<ArgumentException>(() => new FocalLoss().forward(T(z), T(new long[] { 0, 1, 2 })));
        Assert.Equal("labels", ex.ParamName);
    }

    [Fact]
    public void NonMatrixLogitsAreRejected()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new FocalLoss().forward(torch.zeros(3), T(new long[] { 0, 1, 2 })));
        Assert.Equal("logits", ex.ParamName);
    }
}
