using FsCheck.Xunit;
using FsCheck;
using MarginFace.Losses;
using static TorchSharp.torch;

namespace MarginFace.Tests.Losses;

/// <summary>Float32 heads stay finite at cos θ = ±1, zero vectors, large scales and margins, and C = 100,000.</summary>
public class MarginHeadRobustnessTests : TorchTest
{
    /// <summary>Every head with s = 64 and the largest margins the brief asks to survive (m = 1.5).</summary>
    public static IReadOnlyList<(string Name, Dictionary<string, double> Parameters)> Extreme { get; } =
    [
        ("softmax", new()),
        ("modified", new()),
        ("normface", new() { ["s"] = 64 }),
        ("sphereface", new() { ["m"] = 5, ["lambdaMin"] = 0, ["lambdaBase"] = 0 }),
        ("cosface", new() { ["s"] = 64, ["m"] = 1.5 }),
        ("arcface", new() { ["s"] = 64, ["m"] = 1.5 }),
        ("arcface", new() { ["s"] = 64, ["m"] = 1.5, ["easyMargin"] = 1 }),
        ("combined", new() { ["s"] = 64, ["m1"] = 1.5, ["m2"] = 1.5, ["m3"] = 0.5 }),
        ("combined", new() { ["s"] = 64, ["m2"] = 1.5 }),
        ("adacos", new()),
        ("curricularface", new() { ["s"] = 64, ["m"] = 1.5 }),
        ("adaface", new() { ["s"] = 64, ["m"] = 1.5 }),
        ("magface", new() { ["s"] = 64 }),
        ("subcenter", new() { ["s"] = 64, ["m"] = 1.5 }),
    ];

    public static TheoryData<int> ExtremeIndices()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Extreme.Count; i++) data.Add(i);
        return data;
    }

    private static MarginHead MakeExtreme(int index, int features, int classes) =>
        MarginHeadFactory.Create(Extreme[index].Name, features, classes, Extreme[index].Parameters);

    /// <summary>Cross-entropy (+ auxiliary loss) forward and backward; asserts finite logits and gradients.</summary>
    internal static void AssertFiniteStep(MarginHead head, Tensor embeddings, Tensor labels, string what)
    {
        using var scope = NewDisposeScope();
        var x = embeddings.detach().clone().requires_grad_();
        head.zero_grad();
        var logits = head.forward(x, labels);
        Assert.True(logits.isfinite().all().item<bool>(), $"{what}: logits not finite");
        var loss = nn.functional.cross_entropy(logits, labels);
        if (head.AuxiliaryLoss is not null) loss = loss + head.AuxiliaryLoss;
        loss.backward();
        Assert.True(loss.isfinite().item<bool>(), $"{what}: loss not finite");
        Assert.True(x.grad!.isfinite().all().item<bool>(), $"{what}: embedding gradient not finite");
        Assert.True(head.Weight.grad!.isfinite().all().item<bool>(), $"{what}: weight gradient not finite");
    }

    [Theory]
    [MemberData(nameof(ExtremeIndices))]
    public void Float32StaysFiniteAtCosinePlusMinusOneAndZeroVectors(int index)
    {
        foreach (var mode in new[] { true, false })
        {
            using var head = MakeExtreme(index, 4, 3);
            head.train(mode);
            using var scope = NewDisposeScope();
            using (no_grad())
            {
                head.Weight.copy_(tensor(new float[] { 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0 }, 3, 4)
                    .repeat_interleave(head.Weight.shape[0] / 3, 0));
            }
            var rows = head.Weight.shape[0] / 3;
            var x = tensor(new float[]
            {
                3, 0, 0, 0,     // along class 0: cos = 1 exactly
                0, -5, 0, 0,    // opposite class 1: cos = -1 exactly
                0, 0, 0, 0,     // zero embedding
                0, 0, 0, 7,     // class 2 has a zero weight
                1e-30f, 0, 0, 0, // tiny
                1e30f, 0, 0, 0, // huge
            }, 6, 4);
            var y = tensor(new long[] { 0, 1, 0, 2, 0, 0 });
            AssertFiniteStep(head, x, y, $"{Extreme[index].Name} train={mode} rows/class={rows}");
        }
    }

    [Theory]
    [MemberData(nameof(ExtremeIndices))]
    public void Float32HandlesOneHundredThousandClasses(int index)
    {
        using var head = MakeExtreme(index, 8, 100_000);
        head.train();
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(2, 8);
        var y = tensor(new long[] { 0, 99_999 });
        AssertFiniteStep(head, x, y, Extreme[index].Name);
    }

    [Property(MaxTest = 40)]
    public void EveryHeadGivesFiniteLogitsAndGradientsForRandomShapesAndExtremeValues(
        PositiveInt batch, PositiveInt features, PositiveInt classes, int seed)
    {
        var b = 1 + batch.Get % 5;
        var d = 1 + features.Get % 6;
        var c = 2 + classes.Get % 7;
        var rng = new Random(seed);
        // Magnitudes up to 1e10: exact weight gradients of the |x|-scaled heads grow like |x| / max(|W|, 1e-12), so
        // larger features with subnormal-scale weights would overflow float32 mathematically, not through a bug.
        float[] magnitudes = [0f, 1e-38f, 1e-20f, 1e-6f, 1f, 64f, 1e6f, 1e10f];
        float Value() => rng.Next(3) == 0 ? 0f : (rng.Next(2) == 0 ? -1 : 1) * magnitudes[rng.Next(magnitudes.Length)] * (float)(0.5 + rng.NextDouble());

        for (var index = 0; index < Extreme.Count; index++)
        {
            using var head = MakeExtreme(index, d, c);
            head.train(rng.Next(2) == 0);
            using var scope = NewDisposeScope();
            using (no_grad())
            {
                var w = Enumerable.Range(0, (int)head.Weight.numel()).Select(_ => Value()).ToArray();
                head.Weight.copy_(tensor(w, head.Weight.shape));
            }
            var xs = Enumerable.Range(0, b * d).Select(_ => Value()).ToArray();
            var x = tensor(xs, b, d);
            if (rng.Next(2) == 0)
            {
                // copy a weight row (cos = 1) or its negation (cos = -1) into the first embedding
                var row = head.Weight.detach()[rng.Next((int)head.Weight.shape[0])] * (rng.Next(2) == 0 ? 1f : -1f);
                x[0] = row;
            }
            var y = tensor(Enumerable.Range(0, b).Select(_ => (long)rng.Next(c)).ToArray());
            AssertFiniteStep(head, x, y, $"{Extreme[index].Name} b={b} d={d} c={c} seed={seed}");
        }
    }

    [Fact]
    public void SinAndAngleHaveFiniteGradientsAtCosinePlusMinusOne()
    {
        foreach (var dtype in new[] { float32, float64 })
        {
            using var cos = tensor(new double[] { -1, -0.5, 0, 0.5, 1 }, dtype: dtype).requires_grad_();
            using var sin = AngularMath.Sin(cos);
            using var angle = AngularMath.Angle(cos);
            using var sum = sin.sum() + angle.sum();
            sum.backward();
            Assert.True(cos.grad!.isfinite().all().item<bool>());
            Assert.Equal(0.0, sin[0].to(float64).item<double>());
            Assert.Equal(0.0, sin[4].to(float64).item<double>());
            Assert.Equal(Math.PI, angle[0].to(float64).item<double>(), 6);
            // away from ±1 the gradient is exact: d(sin + θ)/dc = −c/sin θ − 1/sin θ
            var c = 0.5;
            var expected = (-c - 1) / Math.Sqrt(1 - c * c);
            Assert.Equal(expected, cos.grad![3].to(float64).item<double>(), dtype == float64 ? 12 : 5);
        }
    }
}
