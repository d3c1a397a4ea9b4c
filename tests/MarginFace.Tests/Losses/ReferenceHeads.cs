namespace MarginFace.Tests.Losses;

/// <summary>
/// Independent plain-double implementations of the head formulas, written from the papers' equations rather than
/// from the library code. Each returns logits [B,C] and the smallest distance of any branch condition from its
/// switching point ("kink"), so gradient checks can avoid non-differentiable inputs.
/// </summary>
internal static class ReferenceHeads
{
    public delegate double[,] Head(double[][] x, double[][] w, long[] y, double[]? frozenNorms, out double kink);

    public static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    public static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    public static double Cos(double[] a, double[] b) => Math.Clamp(Dot(a, b) / (Norm(a) * Norm(b)), -1.0, 1.0);

    private static double[,] Map(double[][] x, double[][] w, long[] y, Func<int, int, double, double> other,
        Func<int, double, double> target, ref double kink, Func<double[], double[], double>? cosine = null)
    {
        var logits = new double[x.Length, w.Length];
        for (var i = 0; i < x.Length; i++)
            for (var j = 0; j < w.Length; j++)
            {
                var c = (cosine ?? Cos)(x[i], w[j]);
                kink = Math.Min(kink, 1.0 - Math.Abs(c));
                logits[i, j] = j == y[i] ? target(i, c) : other(i, j, c);
            }
        return logits;
    }

    public static Head Softmax() => (double[][] x, double[][] w, long[] y, double[]? _, out double kink) =>
    {
        kink = double.PositiveInfinity;
        var logits = new double[x.Length, w.Length];
        for (var i = 0; i < x.Length; i++)
            for (var j = 0; j < w.Length; j++)
                logits[i, j] = Dot(x[i], w[j]);
        return logits;
    };

    public static Head Modified() => (double[][] x, double[][] w, long[] y, double[]? _, out double kink) =>
    {
        kink = double.PositiveInfinity;
        var logits = new double[x.Length, w.Length];
        for (var i = 0; i < x.Length; i++)
            for (var j = 0; j < w.Length; j++)
                logits[i, j] = Dot(x[i], w[j]) / Norm(w[j]);
        return logits;
    };

    public static Head NormFace(double s) => (double[][] x, double[][] w, long[] y, double[]? _, out double kink) =>
    {
        kink = double.PositiveInfinity;
        return Map(x, w, y, (i, j, c) => s * c, (i, c) => s * c, ref kink);
    };

    public static Head CosFace(double s, double m) => (double[][] x, double[][] w, long[] y, double[]? _, out double kink) =>
    {
        kink = double.PositiveInfinity;
        return Map(x, w, y, (i, j, c) => s * c, (i, c) => s * (c - m), ref kink);
    };

    public static double ArcTarget(double c, double m, bool easy, ref double kink)
    {
        var theta = Math.Acos(c);
        if (easy)
        {
            kink = Math.Min(kink, Math.Abs(c));
            return c > 0 ? Math.Cos(theta + m) : c;
        }
        kink = Math.Min(kink, Math.Abs(c - Math.Cos(Math.PI - m)));
        return c > Math.Cos(Math.PI - m) ? Math.Cos(theta + m) : c - m * Math.Sin(Math.PI - m);
    }

    public static Head ArcFace(double s, double m, bool easy) => (double[][] x, double[][] w, long[] y, double[]? _, out double kink) =>
    {
        var k = double.PositiveInfinity;
        var logits = Map(x, w, y, (i, j, c) => s * c, (i, c) => s * ArcTarget(c, m, easy, ref k), ref k);
        kink = k;
        return logits;
    };

    public static Head Combined(double s, double m1, double m2, double m3) => (double[][] x, double[][] w, long[] y, double[]? _, out double kink) =>
    {
        kink = double.PositiveInfinity;
        return Map(x, w, y, (i, j, c) => s * c, (i, c) => s * (Math.Cos(m1 * Math.Acos(c) + m2) - m3), ref kink);
    };

    public static double Lambda(double lambdaBase, double gamma, double power, double lambdaMin, long t)
        => Math.Max(lambdaMin, lambdaBase * Math.Pow(1 + gamma * t, -power));

    public static Head SphereFace(int m, double lambda) => (double[][] x, double[][] w, long[] y, double[]? _, out double kink) =>
    {
        var kk = double.PositiveInfinity;
        var logits = Map(x, w, y, (i, j, c) => Norm(x[i]) * c, (i, c) =>
        {
            var theta = Math.Acos(c);
            var q = m * theta / Math.PI;
            var k = Math.Floor(q);
            kk = Math.Min(kk, Math.Min(q - k, k + 1 - q));
            var psi = (k % 2 == 0 ? 1 : -1) * Math.Cos(m * theta) - 2 * k;
            return Norm(x[i]) * (c + (psi - c) / (1 + lambda));
        }, ref kk);
        kink = kk;
        return logits;
    };

    public static Head CurricularFace(double s, double m, double t) => (double[][] x, double[][] w, long[] y, double[]? _, out double kink) =>
    {
        var kk = double.PositiveInfinity;
        var logits = new double[x.Length, w.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var cy = Cos(x[i], w[y[i]]);
            var cyM = Math.Cos(Math.Acos(cy) + m);
            for (var j = 0; j < w.Length; j++)
            {
                var c = Cos(x[i], w[j]);
                kk = Math.Min(kk, 1 - Math.Abs(c));
                if (j == y[i]) logits[i, j] = s * ArcTarget(c, m, false, ref kk);
                else
                {
                    kk = Math.Min(kk, Math.Abs(c - cyM));
                    logits[i, j] = s * (c > cyM ? c * (t + c) : c);
                }
            }
        }
        kink = kk;
        return logits;
    };

    public static Head AdaFace(double s, double m, double h, double mean, double std) =>
        (double[][] x, double[][] w, long[] y, double[]? frozenNorms, out double kink) =>
    {
        const double eps = 1e-3;
        var kk = double.PositiveInfinity;
        var logits = new double[x.Length, w.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var a = Math.Clamp(frozenNorms?[i] ?? Norm(x[i]), 0.001, 100);
            var raw = h * (a - mean) / (std + eps);
            kk = Math.Min(kk, 1 - Math.Abs(raw));
            var scaler = Math.Clamp(raw, -1, 1);
            for (var j = 0; j < w.Length; j++)
            {
                var c = Math.Clamp(Cos(x[i], w[j]), -1 + eps, 1 - eps);
                kk = Math.Min(kk, 1 - eps - Math.Abs(c));
                if (j != y[i]) { logits[i, j] = s * c; continue; }
                var theta = Math.Acos(c) - m * scaler;
                kk = Math.Min(kk, Math.Min(theta - eps, Math.PI - eps - theta));
                logits[i, j] = s * (Math.Cos(Math.Clamp(theta, eps, Math.PI - eps)) - (m + m * scaler));
            }
        }
        kink = kk;
        return logits;
    };

    public static double MagMargin(double a, double la, double ua, double lm, double um) => (um - lm) / (ua - la) * (a - la) + lm;

    public static Head MagFace(double s, double la, double ua, double lm, double um) =>
        (double[][] x, double[][] w, long[] y, double[]? _, out double kink) =>
    {
        var kk = double.PositiveInfinity;
        var logits = Map(x, w, y, (i, j, c) => s * c, (i, c) =>
        {
            var norm = Norm(x[i]);
            kk = Math.Min(kk, Math.Min(Math.Abs(norm - la), Math.Abs(norm - ua)) / ua);
            var margin = MagMargin(Math.Clamp(norm, la, ua), la, ua, lm, um);
            return s * ArcTarget(c, margin, false, ref kk);
        }, ref kk);
        kink = kk;
        return logits;
    };

    public static double MagRegulariser(double[][] x, double la, double ua, double lambdaG)
        => lambdaG * x.Select(r => Math.Clamp(Norm(r), la, ua)).Select(a => 1 / a + a / (ua * ua)).Average();

    public static Head SubCenter(int k, double s, double m) => (double[][] x, double[][] w, long[] y, double[]? _, out double kink) =>
    {
        var kk = double.PositiveInfinity;
        var classes = w.Length / k;
        var logits = new double[x.Length, classes];
        for (var i = 0; i < x.Length; i++)
            for (var j = 0; j < classes; j++)
            {
                var cs = Enumerable.Range(0, k).Select(r => Cos(x[i], w[j * k + r])).OrderDescending().ToArray();
                if (k > 1) kk = Math.Min(kk, cs[0] - cs[1]);
                var c = cs[0];
                kk = Math.Min(kk, 1 - Math.Abs(c));
                logits[i, j] = j == y[i] ? s * ArcTarget(c, m, false, ref kk) : s * c;
            }
        kink = kk;
        return logits;
    };
}
