namespace MarginFace.Evaluation;

/// <summary>
/// The k-fold verification protocol of LFW (Huang et al., 2007, "Labeled Faces in the Wild", View 2): for each fold k, the threshold that
/// maximises accuracy on the pairs of all other folds is applied to fold k. A pair is called "same" when its score (higher = more similar)
/// is greater than the threshold. Candidate thresholds are every midpoint between consecutive distinct training scores, plus one below the
/// lowest (everything "same") and one above the highest (everything "different"); among equally accurate candidates the lowest wins.
/// The result is the mean of the fold accuracies μ̂ and its standard error S_E = σ̂/√F over F folds, with the sample standard deviation
/// σ̂ = √(Σ(p_k − μ̂)²/(F − 1)), as LFW's README defines it. Cost: one sort of all scores, then one linear sweep per fold.
/// </summary>
public static class VerificationProtocol
{
    /// <summary>
    /// Evaluates <paramref name="scores"/> of pairs labelled <paramref name="same"/>, each in fold <paramref name="folds"/>[i]
    /// (0-based; at least two folds, none empty).
    /// </summary>
    public static VerificationAccuracy Evaluate(IReadOnlyList<double> scores, IReadOnlyList<bool> same, IReadOnlyList<int> folds)
    {
        int n = Check(scores, same, folds);
        int foldCount = folds.Max() + 1;
        if (foldCount < 2) throw new ArgumentException("the protocol needs at least two folds", nameof(folds));
        var perFold = new int[foldCount];
        foreach (var fold in folds) perFold[fold]++;
        for (int k = 0; k < foldCount; k++)
            if (perFold[k] == 0) throw new ArgumentException($"fold {k} has no pairs", nameof(folds));

        var order = new int[n];
        var sorted = new double[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
            sorted[i] = scores[i];
        }
        Array.Sort(sorted, order);

        var results = new FoldResult[foldCount];
        for (int k = 0; k < foldCount; k++)
        {
            double threshold = BestThreshold(sorted, order, same, folds, k);
            int correct = 0;
            for (int i = 0; i < n; i++)
                if (folds[i] == k && scores[i] > threshold == same[i]) correct++;
            results[k] = new FoldResult((double)correct / perFold[k], threshold, perFold[k]);
        }
        double mean = results.Average(r => r.Accuracy);
        double variance = results.Sum(r => (r.Accuracy - mean) * (r.Accuracy - mean)) / (foldCount - 1);
        return new VerificationAccuracy(results, mean, Math.Sqrt(variance) / Math.Sqrt(foldCount));
    }

    /// <summary>
    /// The accuracy of the best single threshold over all pairs (no held-out fold: an optimistic figure, for monitoring
    /// training), with that threshold; a pair is called "same" when its score is above the threshold.
    /// </summary>
    public static FoldResult BestThresholdAccuracy(IReadOnlyList<double> scores, IReadOnlyList<bool> same)
    {
        var folds = new int[scores.Count];
        int n = Check(scores, same, folds);
        var order = Enumerable.Range(0, n).ToArray();
        var sorted = scores.ToArray();
        Array.Sort(sorted, order);
        var threshold = BestThreshold(sorted, order, same, folds, testFold: -1);
        var correct = Enumerable.Range(0, n).Count(i => scores[i] > threshold == same[i]);
        return new FoldResult((double)correct / n, threshold, n);
    }

    /// <summary>
    /// The threshold that maximises the balanced accuracy ½(TPR + TNR) of same-person pairs scored <paramref name="sameScores"/>, pair i
    /// weighing <paramref name="sameWeights"/>[i] (TPR = Σ wᵢ[sᵢ &gt; t] / Σ wᵢ), and different-person pairs scored
    /// <paramref name="differentScores"/> (TNR = #[dⱼ ≤ t] / D), with that balanced accuracy. The candidates are those of
    /// <see cref="Evaluate"/> over both sets of scores; among equally good ones (within 1e-12) the lowest wins. Balanced, so the two
    /// sets may differ in size (LFW's test folds hold as many same as different pairs).
    /// </summary>
    public static FoldResult BestBalancedThreshold(IReadOnlyList<double> sameScores, IReadOnlyList<double> sameWeights, IReadOnlyList<double> differentScores)
    {
        double totalWeight = CheckBalanced(sameScores, sameWeights, differentScores);
        var scores = sameScores.Concat(differentScores).ToArray();
        var order = Enumerable.Range(0, scores.Length).ToArray();
        var sorted = (double[])scores.Clone();
        Array.Sort(sorted, order);

        // Threshold below every score: every pair is called "same" (TPR 1, TNR 0).
        double sameAbove = totalWeight;
        int differentBelow = 0;
        double Balanced() => (sameAbove / totalWeight + (double)differentBelow / differentScores.Count) / 2;
        double best = Balanced(), bestThreshold = Below(sorted[0]);
        int position = 0;
        while (position < sorted.Length)
        {
            double value = sorted[position];
            for (; position < sorted.Length && sorted[position] == value; position++)
            {
                int pair = order[position];
                if (pair < sameScores.Count) sameAbove -= sameWeights[pair];
                else differentBelow++;
            }
            double current = Balanced();
            if (current > best + 1e-12)
            {
                best = current;
                bestThreshold = position < sorted.Length ? Midpoint(value, sorted[position]) : Above(value);
            }
        }
        return new FoldResult(best, bestThreshold, scores.Length);
    }

    /// <summary>
    /// The balanced accuracy ½(TPR + TNR) at <paramref name="threshold"/> of the pairs of <see cref="BestBalancedThreshold"/>:
    /// TPR = Σ wᵢ[sᵢ &gt; t] / Σ wᵢ, TNR = #[dⱼ ≤ t] / D.
    /// </summary>
    public static double BalancedAccuracy(IReadOnlyList<double> sameScores, IReadOnlyList<double> sameWeights, IReadOnlyList<double> differentScores, double threshold)
    {
        double totalWeight = CheckBalanced(sameScores, sameWeights, differentScores), sameAbove = 0;
        for (int i = 0; i < sameScores.Count; i++)
            if (sameScores[i] > threshold) sameAbove += sameWeights[i];
        return (sameAbove / totalWeight + (double)differentScores.Count(d => d <= threshold) / differentScores.Count) / 2;
    }

    /// <summary>
    /// The threshold of a normal fit to each side: μ_s, σ_s the weighted mean and standard deviation of <paramref name="sameScores"/>
    /// (σ_s² = Σ wᵢ(sᵢ − μ_s)² / Σ wᵢ, weights <paramref name="sameWeights"/>), μ_d, σ_d those of <paramref name="differentScores"/>
    /// (each weighing 1), and t in (μ_d, μ_s) where the two normal densities are equal,
    /// (t − μ_s)²/σ_s² − (t − μ_d)²/σ_d² = 2 ln(σ_d/σ_s): the maximum of the normals' balanced accuracy
    /// ½(1 − Φ((t − μ_s)/σ_s) + Φ((t − μ_d)/σ_d)). Found by bisection. A fit whose densities do not cross once between the means
    /// (μ_s ≤ μ_d, or variances too unequal) is a <see cref="MarginFaceException"/>.
    /// </summary>
    public static double NormalFitThreshold(IReadOnlyList<double> sameScores, IReadOnlyList<double> sameWeights, IReadOnlyList<double> differentScores)
    {
        CheckBalanced(sameScores, sameWeights, differentScores);
        static (double Mean, double Deviation) Fit(IReadOnlyList<double> x, Func<int, double> weight)
        {
            double total = 0, sum = 0;
            for (int i = 0; i < x.Count; i++) { total += weight(i); sum += weight(i) * x[i]; }
            double mean = sum / total, squares = 0;
            for (int i = 0; i < x.Count; i++) squares += weight(i) * (x[i] - mean) * (x[i] - mean);
            return (mean, Math.Sqrt(squares / total));
        }
        var (ms, ss) = Fit(sameScores, i => sameWeights[i]);
        var (md, sd) = Fit(differentScores, _ => 1);
        string Describe() => $"same-person scores N({ms:0.####}, {ss:0.####}²), different-person N({md:0.####}, {sd:0.####}²)";
        if (!(ss > 0) || !(sd > 0)) throw new MarginFaceException($"{Describe()}: a normal fit needs scores that are not all equal");
        // f > 0 where the different-person density is the higher one.
        double F(double t) => (t - ms) * (t - ms) / (ss * ss) - (t - md) * (t - md) / (sd * sd) - 2 * Math.Log(sd / ss);
        double low = md, high = ms;
        if (!(ms > md) || !(F(low) > 0) || !(F(high) < 0))
            throw new MarginFaceException($"{Describe()}: the two densities do not cross once between the means, so the fit places no threshold");
        for (int i = 0; i < 200 && high - low > 0; i++)
        {
            double middle = low + (high - low) / 2;
            if (middle <= low || middle >= high) break;
            if (F(middle) > 0) low = middle;
            else high = middle;
        }
        return low + (high - low) / 2;
    }

    /// <summary>
    /// The lowest of the candidate thresholds that classify the most pairs outside fold <paramref name="testFold"/> correctly;
    /// <paramref name="sorted"/> holds all scores ascending, <paramref name="order"/> their pair indices.
    /// </summary>
    internal static double BestThreshold(double[] sorted, int[] order, IReadOnlyList<bool> same, IReadOnlyList<int> folds, int testFold)
    {
        int first = -1, sameCount = 0;
        for (int j = 0; j < sorted.Length; j++)
        {
            if (folds[order[j]] == testFold) continue;
            if (first < 0) first = j;
            if (same[order[j]]) sameCount++;
        }
        // Threshold below every training score: every pair is called "same".
        int correct = sameCount, best = correct;
        double bestThreshold = Below(sorted[first]);
        int position = first;
        while (position < sorted.Length)
        {
            double value = sorted[position];
            // Move the threshold past every training pair with this score: they become "different".
            for (; position < sorted.Length && sorted[position] == value; position++)
            {
                int pair = order[position];
                if (folds[pair] == testFold) continue;
                correct += same[pair] ? -1 : 1;
            }
            while (position < sorted.Length && folds[order[position]] == testFold) position++;
            if (correct > best)
            {
                best = correct;
                bestThreshold = position < sorted.Length ? Midpoint(value, sorted[position]) : Above(value);
            }
        }
        return bestThreshold;
    }

    /// <summary>A number in [a, b) halfway between a &lt; b (a itself when no double lies strictly between them), so that "score &gt; t" splits a from b.</summary>
    internal static double Midpoint(double a, double b)
    {
        double middle = a + (b - a) / 2;
        if (!double.IsFinite(middle)) middle = a / 2 + b / 2;
        return middle >= b || middle < a ? a : middle;
    }

    private static double Below(double lowest) => Math.Max(lowest - Math.Max(1, Math.Abs(lowest)), -double.MaxValue);

    private static double Above(double highest) => Math.Min(highest + Math.Max(1, Math.Abs(highest)), double.MaxValue);

    /// <summary>Checks the inputs of <see cref="BestBalancedThreshold"/> and returns Σ wᵢ.</summary>
    private static double CheckBalanced(IReadOnlyList<double> sameScores, IReadOnlyList<double> sameWeights, IReadOnlyList<double> differentScores)
    {
        ArgumentNullException.ThrowIfNull(sameScores);
        ArgumentNullException.ThrowIfNull(sameWeights);
        ArgumentNullException.ThrowIfNull(differentScores);
        if (sameScores.Count == 0) throw new ArgumentException("no same-person pairs", nameof(sameScores));
        if (differentScores.Count == 0) throw new ArgumentException("no different-person pairs", nameof(differentScores));
        if (sameWeights.Count != sameScores.Count) throw new ArgumentException($"{sameWeights.Count} weights for {sameScores.Count} scores", nameof(sameWeights));
        double totalWeight = 0;
        for (int i = 0; i < sameWeights.Count; i++)
        {
            if (!(sameWeights[i] > 0) || !double.IsFinite(sameWeights[i])) throw new ArgumentException($"weight {i} is {sameWeights[i]}, not a positive number", nameof(sameWeights));
            totalWeight += sameWeights[i];
        }
        var scores = sameScores.Concat(differentScores).ToArray();
        Check(scores, new bool[scores.Length]);
        return totalWeight;
    }

    internal static int Check(IReadOnlyList<double> scores, IReadOnlyList<bool> same, IReadOnlyList<int>? folds = null)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(same);
        int n = scores.Count;
        if (n == 0) throw new ArgumentException("no pairs", nameof(scores));
        if (same.Count != n) throw new ArgumentException($"{same.Count} labels for {n} scores", nameof(same));
        if (folds is not null && folds.Count != n) throw new ArgumentException($"{folds.Count} fold indices for {n} scores", nameof(folds));
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(scores[i])) throw new ArgumentException($"score {i} is {scores[i]}, not a finite number", nameof(scores));
            if (folds is not null && folds[i] < 0) throw new ArgumentException($"fold index {i} is negative", nameof(folds));
        }
        return n;
    }
}
