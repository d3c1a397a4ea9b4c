using TorchSharp;
using Xunit.Abstractions;
using MarginFace.Losses;
using static MarginFace.Tests.Losses.Numerics;
using static TorchSharp.torch;

namespace MarginFace.Tests.Losses;

public class CenterLossTests(ITestOutputHelper output) : TorchTest
{
    private static readonly long[] Labels = { 0, 2, 2, 1, 0, 2 };

    private static (CenterLoss Module, double[][] X, double[][] Centers) Setup(int seed)
    {
        var module = new CenterLoss(features: 3, classes: 4, seed: seed).to(ScalarType.Float64);
        var x = Normal(new Random(seed), Labels.Length, 3);
        var c = Enumerable.Range(0, 4).Select(j => Flat(module.Centers[j])).ToArray();
        return (module, x, c);
    }

    [Fact]
    public void Float64ValueMatchesPlainFormula()
    {
        var (module, x, c) = Setup(31);
        using var loss = module.forward(T(x), T(Labels));
        var err = RelErr(loss.item<double>(), Reference.Center(x, Labels, c));
        output.WriteLine($"VALUE center relerr={err:E2}");
        Assert.True(err < 1e-9, $"relative error {err}");
    }

    [Fact]
    public void Float64GradientsForFeaturesAndCentersMatchFiniteDifferences()
    {
        var (module, x, c) = Setup(32);
        var errX = GradientCheck(a => module.forward(a[0], T(Labels)), new[] { T(x) });

        // Centres: analytic gradient from backward, numeric by perturbing the parameter in place.
        module.zero_grad();
        module.forward(T(x), T(Labels)).backward();
        var analytic = Flat(module.Centers.grad!);
        var baseValues = Flat(module.Centers);
        const double h = 1e-4;
        double Eval(int j, double delta)
        {
            using var noGrad = no_grad();
            var shifted = (double[])baseValues.Clone();
            shifted[j] += delta;
            module.Centers.copy_(torch.tensor(shifted, module.Centers.shape, dtype: ScalarType.Float64));
            return module.forward(T(x), T(Labels)).item<double>();
        }
        var numeric = baseValues.Select((_, j) => (Eval(j, -2 * h) - 8 * Eval(j, -h) + 8 * Eval(j, h) - Eval(j, 2 * h)) / (12 * h)).ToArray();
        var errC = analytic.Zip(numeric, (a, n) => Math.Abs(a - n)).Max() / numeric.Max(Math.Abs);

        output.WriteLine($"GRADCHECK center x relerr={errX:E2} centers relerr={errC:E2}");
        Assert.True(errX < 1e-9, $"x relative error {errX}");
        Assert.True(errC < 1e-9, $"centres relative error {errC}");
    }

    [Fact]
    public void PlainSgdStepOnCentersMovesEachCenterByAlphaOverBTimesSummedDifferences()
    {
        var (module, x, c) = Setup(33);
        const double alpha = 0.5;
        var opt = module.CenterOptimizer(alpha);
        opt.zero_grad();
        module.forward(T(x), T(Labels)).backward();
        opt.step();
        for (var j = 0; j < 4; j++)
        {
            var moved = Flat(module.Centers[j]);
            for (var k = 0; k < 3; k++)
            {
                var g = Enumerable.Range(0, Labels.Length).Where(i => Labels[i] == j).Sum(i => c[j][k] - x[i][k]) / Labels.Length;
                Assert.Equal(c[j][k] - alpha * g, moved[k], 12);
            }
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.01)]
    public void RescaledGradientsMakeSgdApplyThePapersCenterUpdate(double lambda)
    {
        var (module, x, c) = Setup(34);
        const double alpha = 0.5;
        var opt = module.CenterOptimizer(alpha);
        opt.zero_grad();
        module.forward(T(x), T(Labels)).mul(lambda).backward();
        module.RescaleCenterGradients(T(Labels), lambda);
        opt.step();
        var worst = 0.0;
        for (var j = 0; j < 4; j++)
        {
            var moved = Flat(module.Centers[j]);
            var members = Enumerable.Range(0, Labels.Length).Where(i => Labels[i] == j).ToList();
            for (var k = 0; k < 3; k++)
            {
                var delta = members.Sum(i => c[j][k] - x[i][k]) / (1 + members.Count);
                var expected = c[j][k] - alpha * delta;
                worst = Math.Max(worst, Math.Abs(moved[k] - expected));
            }
        }
        output.WriteLine($"paper update lambda={lambda} max abs err={worst:E2}");
        Assert.True(worst < 1e-12, $"max abs error {worst}");
    }

    [Fact]
    public void CentersAreTheOnlyRegisteredParameterAndFollowTheModuleDtype()
    {
        var module = new CenterLoss(3, 4);
        Assert.Equal(ScalarType.Float32, module.Centers.dtype);
        module.to(ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, module.Centers.dtype);
        var named = module.named_parameters().ToList();
        Assert.Single(named);
        Assert.Equal("centers", named[0].name);
        Assert.Same(named[0].parameter, module.Centers);
        Assert.Equal(new long[] { 4, 3 }, module.Centers.shape);
    }

    [Fact]
    public void DtypeMismatchNamesX()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() =>
            new CenterLoss(3, 4).forward(torch.zeros(2, 3, dtype: ScalarType.Float64), T(new long[] { 0, 1 })));
        Assert.Equal("x", ex.ParamName);
    }

    [Fact]
    public void FeatureSizeMismatchNamesX()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new CenterLoss(3, 4).forward(torch.zeros(2, 5), T(new long[] { 0, 1 })));
        Assert.Equal("x", ex.ParamName);
    }

    [Fact]
    public void LabelsOutOfRangeAreRejected()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new CenterLoss(3, 4).forward(torch.zeros(2, 3), T(new long[] { -1, 1 })));
        Assert.Equal("labels", ex.ParamName);
    }

    [Fact]
    public void NonPositiveSizesAreRejected()
    {
        Assert.Equal("classes", Assert.ThrowsAny<ArgumentException>(() => new CenterLoss(3, 0)).ParamName);
        Assert.Equal("features", Assert.ThrowsAny<ArgumentException>(() => new CenterLoss(0, 3)).ParamName);
    }
}
