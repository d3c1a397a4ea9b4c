using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MarginFace.Tests.Losses;

/// <summary>Float64 values and gradients of every head against independent plain-double formulas.</summary>
public class MarginHeadFormulaTests : TorchTest
{
    private const double Tolerance = 1e-9;
    private readonly ITestOutputHelper output;

    public MarginHeadFormulaTests(ITestOutputHelper output) => this.output = output;

    public static TheoryData<string> Cases() => HeadCase.Labels();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64LogitsEqualTheReferenceFormula(string label)
    {
        var c = HeadCase.Get(label);
        var worst = 0.0;
        for (var seed = 1; seed <= 5; seed++)
        {
            var (x, w, y) = c.Inputs(seed, minKink: 0);
            using var head = c.MakeFloat64(w);
            head.eval();
            using var scope = NewDisposeScope();
            var logits = HeadCase.ToMatrix(head.forward(HeadCase.ToTensor(x), tensor(y)));
            var expected = c.Reference(x, w, y, null, out _);
            worst = Math.Max(worst, RelativeError(logits, expected));
        }
        output.WriteLine($"{label}: max relative error of logits {worst:E2}");
        Assert.True(worst <= Tolerance, $"{label}: relative error {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64GradientsEqualFiniteDifferencesOfTheReferenceFormula(string label)
    {
        var c = HeadCase.Get(label);
        var (worstX, worstW) = (0.0, 0.0);
        for (var seed = 1; seed <= 3; seed++)
        {
            var (ex, ew) = GradientErrors(c, seed);
            worstX = Math.Max(worstX, ex);
            worstW = Math.Max(worstW, ew);
        }
        var line = $"GRADCHECK {label}: max rel error d/dembeddings {worstX:E2}, d/dWeight {worstW:E2}";
        output.WriteLine(line);
        GradientReport.Record(line);
        Assert.True(worstX <= Tolerance && worstW <= Tolerance, line);
    }

    /// <summary>Normwise relative errors max|autograd − fd| / max|fd| of L = Σ R⊙logits (+ regulariser).</summary>
    private static (double X, double W) GradientErrors(HeadCase c, int seed)
    {
        var (x, w, y) = c.Inputs(seed);
        var rng = new Random(seed);
        var r = new double[HeadCase.Batch, HeadCase.ClassCount];
        for (var i = 0; i < HeadCase.Batch; i++)
            for (var j = 0; j < HeadCase.ClassCount; j++)
                r[i, j] = HeadCase.Gaussian(rng);
        var frozen = c.FrozenNorms ? x.Select(ReferenceHeads.Norm).ToArray() : null;

        double Loss(double[][] xs, double[][] ws)
        {
            var logits = c.Reference(xs, ws, y, frozen, out _);
            var sum = 0.0;
            for (var i = 0; i < HeadCase.Batch; i++)
                for (var j = 0; j < HeadCase.ClassCount; j++)
                    sum += r[i, j] * logits[i, j];
            return c.HasRegulariser ? sum + ReferenceHeads.MagRegulariser(xs, 10, 110, 35) : sum;
        }

        using var head = c.MakeFloat64(w);
        head.eval();
        using var scope = NewDisposeScope();
        var xt = HeadCase.ToTensor(x).requires_grad_();
        var rt = HeadCase.ToTensor(Enumerable.Range(0, HeadCase.Batch)
            .Select(i => Enumerable.Range(0, HeadCase.ClassCount).Select(j => r[i, j]).ToArray()).ToArray());
        var loss = (head.forward(xt, tensor(y)) * rt).sum();
        if (c.HasRegulariser) loss = loss + head.AuxiliaryLoss!;
        loss.backward();

        var errX = Compare(HeadCase.ToMatrix(xt.grad!), FiniteDifferences(x, xs => Loss(xs, w)));
        var errW = Compare(HeadCase.ToMatrix(head.Weight.grad!), FiniteDifferences(w, ws => Loss(x, ws)));
        return (errX, errW);
    }

    /// <summary>Richardson-extrapolated central differences (O(h⁴)), step relative to each row's norm.</summary>
    private static double[,] FiniteDifferences(double[][] at, Func<double[][], double> f)
    {
        var result = new double[at.Length, at[0].Length];
        for (var i = 0; i < at.Length; i++)
        {
            var h = 1e-3 * ReferenceHeads.Norm(at[i]);
            for (var k = 0; k < at[i].Length; k++)
            {
                double Central(double step)
                {
                    var copy = at.Select(row => (double[])row.Clone()).ToArray();
                    copy[i][k] = at[i][k] + step;
                    var plus = f(copy);
                    copy[i][k] = at[i][k] - step;
                    return (plus - f(copy)) / (2 * step);
                }
                result[i, k] = (4 * Central(h / 2) - Central(h)) / 3;
            }
        }
        return result;
    }

    private static double Compare(double[,] actual, double[,] expected)
    {
        var scale = 0.0;
        var diff = 0.0;
        for (var i = 0; i < expected.GetLength(0); i++)
            for (var j = 0; j < expected.GetLength(1); j++)
            {
                scale = Math.Max(scale, Math.Abs(expected[i, j]));
                diff = Math.Max(diff, Math.Abs(actual[i, j] - expected[i, j]));
            }
        return diff / Math.Max(scale, 1e-300);
    }

    internal static double RelativeError(double[,] actual, double[,] expected) => Compare(actual, expected);
}
