using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Tests.Losses;

/// <summary>Test helpers: random matrices, tensor conversion and a finite-difference gradient check in float64.</summary>
internal static class Numerics
{
    public static double[][] Normal(Random rng, int rows, int cols, double scale = 1) =>
        Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, cols).Select(_ => scale * Gauss(rng)).ToArray()).ToArray();

    public static double Gauss(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public static Tensor T(double[][] m) =>
        torch.tensor(m.SelectMany(r => r).ToArray(), new long[] { m.Length, m.Length == 0 ? 0 : m[0].Length }, dtype: ScalarType.Float64);

    public static Tensor T(long[] v) => torch.tensor(v, dtype: ScalarType.Int64);

    public static double[] Flat(Tensor t) => t.detach().cpu().to(ScalarType.Float64).data<double>().ToArray();

    public static double RelErr(double actual, double expected) =>
        Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-300);

    /// <summary>
    /// Max over inputs of ‖g_autograd − g_fd‖∞ / ‖g_fd‖∞, where g_fd is the 4-point central difference
    /// (f(x−2h) − 8f(x−h) + 8f(x+h) − f(x+2h)) / 12h (error O(h⁴) + O(ε/h)).
    /// </summary>
    public static double GradientCheck(Func<Tensor[], Tensor> f, Tensor[] inputs, double h = 1e-4)
    {
        var leaves = inputs.Select(t => t.detach().clone().requires_grad_(true)).ToArray();
        using (var loss = f(leaves))
            loss.backward();
        var worst = 0.0;
        for (var i = 0; i < leaves.Length; i++)
        {
            var analytic = Flat(leaves[i].grad!);
            var numeric = new double[analytic.Length];
            var baseValues = Flat(inputs[i]);
            for (var j = 0; j < baseValues.Length; j++)
            {
                double Eval(double delta)
                {
                    using var scope = NewDisposeScope();
                    using var noGrad = no_grad();
                    var shifted = (double[])baseValues.Clone();
                    shifted[j] += delta;
                    var args = inputs.Select(t => t.detach().clone()).ToArray();
                    args[i] = torch.tensor(shifted, inputs[i].shape, dtype: ScalarType.Float64);
                    return f(args).item<double>();
                }
                numeric[j] = (Eval(-2 * h) - 8 * Eval(-h) + 8 * Eval(h) - Eval(2 * h)) / (12 * h);
            }
            var scale = numeric.Select(Math.Abs).DefaultIfEmpty(0).Max();
            var diff = analytic.Zip(numeric, (a, n) => Math.Abs(a - n)).DefaultIfEmpty(0).Max();
            worst = Math.Max(worst, scale == 0 ? diff : diff / scale);
        }
        foreach (var l in leaves) l.Dispose();
        return worst;
    }

    public static bool AllFinite(Tensor t) => torch.isfinite(t).all().item<bool>();
}
