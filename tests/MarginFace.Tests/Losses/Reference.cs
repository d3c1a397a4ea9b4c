using MarginFace.Losses.Mining;

namespace MarginFace.Tests.Losses;

/// <summary>Independent plain-C# double implementations of the loss formulas.</summary>
internal static class Reference
{
    public static double SqDist(double[] u, double[] v) => u.Zip(v, (a, b) => (a - b) * (a - b)).Sum();

    public static double Focal(double[][] logits, long[] y, double gamma)
    {
        var total = 0.0;
        for (var i = 0; i < logits.Length; i++)
        {
            var max = logits[i].Max();
            var lse = max + Math.Log(logits[i].Sum(z => Math.Exp(z - max)));
            var logp = logits[i][y[i]] - lse;
            total += -Math.Pow(1 - Math.Exp(logp), gamma) * logp;
        }
        return total / logits.Length;
    }

    public static double Center(double[][] x, long[] y, double[][] centers) =>
        x.Select((row, i) => SqDist(row, centers[y[i]])).Sum() / (2.0 * x.Length);

    public static double Contrastive(double[][] x1, double[][] x2, double[] t, double margin)
    {
        var total = 0.0;
        for (var i = 0; i < x1.Length; i++)
        {
            var d = Math.Sqrt(SqDist(x1[i], x2[i]));
            total += (1 - t[i]) * d * d + t[i] * Math.Pow(Math.Max(0, margin - d), 2);
        }
        return total / x1.Length;
    }

    public static double Triplet(double[][] a, double[][] p, double[][] n, double margin) =>
        a.Select((_, i) => Math.Max(0, SqDist(a[i], p[i]) - SqDist(a[i], n[i]) + margin)).Average();

    /// <summary>
    /// Mined triplets in row-major (a, p) order, the loss, and the smallest gap between compared quantities
    /// (hinge arguments and distances the choice depends on): a finite-difference step must stay below it.
    /// </summary>
    public static (List<(int A, int P, int N)> Triplets, double Loss, double MinGap) BatchTriplet(
        double[][] x, long[] y, double margin, TripletMining mining)
    {
        var b = x.Length;
        var d = new double[b, b];
        for (var i = 0; i < b; i++)
            for (var j = 0; j < b; j++)
                d[i, j] = SqDist(x[i], x[j]);
        var triplets = new List<(int, int, int)>();
        var gap = double.PositiveInfinity;
        for (var a = 0; a < b; a++)
        {
            var negatives = Enumerable.Range(0, b).Where(n => y[n] != y[a]).ToList();
            if (negatives.Count == 0) continue;
            for (var p = 0; p < b; p++)
            {
                if (p == a || y[p] != y[a]) continue;
                switch (mining)
                {
                    case TripletMining.All:
                        foreach (var n in negatives) triplets.Add((a, p, n));
                        break;
                    case TripletMining.Hard:
                    {
                        var best = negatives[0];
                        foreach (var n in negatives) if (d[a, n] < d[a, best]) best = n;
                        foreach (var n in negatives) if (n != best) gap = Math.Min(gap, d[a, n] - d[a, best]);
                        triplets.Add((a, p, best));
                        break;
                    }
                    default:
                    {
                        int? semi = null;
                        foreach (var n in negatives)
                            if (d[a, n] > d[a, p] && (semi is null || d[a, n] < d[a, semi.Value])) semi = n;
                        var far = negatives[0];
                        foreach (var n in negatives) if (d[a, n] > d[a, far]) far = n;
                        var chosen = semi ?? far;
                        foreach (var n in negatives)
                        {
                            gap = Math.Min(gap, Math.Abs(d[a, n] - d[a, p]));
                            if (n != chosen) gap = Math.Min(gap, Math.Abs(d[a, n] - d[a, chosen]));
                        }
                        triplets.Add((a, p, chosen));
                        break;
                    }
                }
            }
        }
        var losses = triplets.Select(t => d[t.Item1, t.Item2] - d[t.Item1, t.Item3] + margin).ToList();
        foreach (var l in losses) gap = Math.Min(gap, Math.Abs(l));
        var loss = losses.Count == 0 ? 0 : losses.Select(l => Math.Max(0, l)).Average();
        return (triplets, loss, gap);
    }
}
