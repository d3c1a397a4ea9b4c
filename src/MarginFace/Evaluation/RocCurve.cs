namespace MarginFace.Evaluation;

/// <summary>
/// The ROC curve of verification scores over all pairs (higher score = more similar): one <see cref="RocPoint"/> per distinct score, from
/// (0, 0) (threshold +∞) to (1, 1), with the summaries published face-verification results quote.
/// </summary>
public sealed class RocCurve
{
    private RocCurve(IReadOnlyList<RocPoint> points, double auc, int positives, int negatives)
    {
        Points = points;
        Auc = auc;
        Positives = positives;
        Negatives = negatives;
        Eer = EqualErrorRate(points);
    }

    /// <summary>Operating points by decreasing threshold: FAR and TAR never decrease along the list.</summary>
    public IReadOnlyList<RocPoint> Points { get; }

    /// <summary>
    /// Area under the curve, exactly the Mann–Whitney statistic P(s⁺ &gt; s⁻) + ½ P(s⁺ = s⁻) over all (same, different) pairs of pairs:
    /// tied scores count one half, which is the trapezoid under the curve's diagonal segments.
    /// </summary>
    public double Auc { get; }

    /// <summary>
    /// Equal error rate: the FAR where FAR = FRR = 1 − TAR on the curve with its points joined by straight lines (FAR + TAR grows from 0 to 2
    /// along the curve, so the line FAR + TAR = 1 crosses it once).
    /// </summary>
    public double Eer { get; }

    /// <summary>Same-person pairs.</summary>
    public int Positives { get; }

    /// <summary>Different-person pairs.</summary>
    public int Negatives { get; }

    /// <summary>Builds the curve of <paramref name="scores"/> labelled <paramref name="same"/>; both classes must be present.</summary>
    public static RocCurve Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> same)
    {
        int n = VerificationProtocol.Check(scores, same);
        int positives = same.Count(s => s), negatives = n - positives;
        if (positives == 0 || negatives == 0) throw new ArgumentException("a ROC curve needs same-person and different-person pairs", nameof(same));
        var order = new int[n];
        var keys = new double[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
            keys[i] = -scores[i];
        }
        Array.Sort(keys, order);

        var points = new List<RocPoint> { new(double.PositiveInfinity, 0, 0) };
        long acceptedPositives = 0, acceptedNegatives = 0;
        long twiceAucCount = 0; // 2 · (#(s⁺ > s⁻) + ½ #(s⁺ = s⁻))
        for (int start = 0; start < n;)
        {
            double score = scores[order[start]];
            long groupPositives = 0, groupNegatives = 0;
            int end = start;
            for (; end < n && scores[order[end]] == score; end++)
                if (same[order[end]]) groupPositives++; else groupNegatives++;
            twiceAucCount += groupNegatives * (2 * acceptedPositives + groupPositives);
            acceptedPositives += groupPositives;
            acceptedNegatives += groupNegatives;
            points.Add(new RocPoint(score, (double)acceptedNegatives / negatives, (double)acceptedPositives / positives));
            start = end;
        }
        return new RocCurve(points, twiceAucCount / (2.0 * positives * negatives), positives, negatives);
    }

    /// <summary>TAR at FAR = <paramref name="far"/>: the largest TAR of an operating point whose FAR is at most <paramref name="far"/>.</summary>
    public double TarAtFar(double far)
    {
        if (!(far >= 0 && far <= 1)) throw new ArgumentOutOfRangeException(nameof(far), far, "a false accept rate lies in [0, 1]");
        double tar = 0;
        foreach (var point in Points)
            if (point.Far <= far) tar = Math.Max(tar, point.Tar);
        return tar;
    }

    private static double EqualErrorRate(IReadOnlyList<RocPoint> points)
    {
        for (int i = 1; i < points.Count; i++)
        {
            double before = points[i - 1].Far + points[i - 1].Tar - 1, after = points[i].Far + points[i].Tar - 1;
            if (after < 0) continue;
            double t = before >= 0 ? 0 : -before / (after - before);
            return points[i - 1].Far + t * (points[i].Far - points[i - 1].Far);
        }
        return 1;
    }
}
