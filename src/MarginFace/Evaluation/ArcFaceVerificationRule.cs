namespace MarginFace.Evaluation;

/// <summary>
/// arcface_torch's verification accuracy (its <c>eval/verification.py</c>), so that a number from MarginFace and one from
/// arcface_torch on the same embeddings are the same number:
/// <list type="number">
/// <item>each image's embedding (with flip: its own plus its mirror's, summed before normalising) is L2-normalised;</item>
/// <item>a pair's distance is the squared euclidean distance of its two embeddings (0 to 4); "same" when distance &lt; threshold;</item>
/// <item>the pairs are split into 10 folds in file order (scikit-learn's <c>KFold</c> without shuffling: the first n mod 10
/// folds hold one pair more);</item>
/// <item>for each fold, the threshold among 0, 0.01, …, 3.99 with the best accuracy on the other nine folds (the first best on
/// a tie, as <c>np.argmax</c>) is applied to that fold; the result is the mean and population standard deviation of the fold accuracies;</item>
/// <item>VAL at FAR 1e-3: for each fold, over thresholds 0, 0.001, …, 3.999, the FAR on the other folds is interpolated
/// linearly (scipy's <c>interp1d(far, thresholds, kind='slinear')</c>) at 1e-3 when some threshold reaches it (else the
/// threshold is 0), and VAL and FAR are measured on the fold at that threshold.</item>
/// </list>
/// Distances are computed in double precision from the float embeddings; arcface_torch computes them in float32, so a distance
/// within float32 rounding of a threshold may fall on the other side of it there.
/// </summary>
public static class ArcFaceVerificationRule
{
    /// <summary>arcface_torch's number of folds.</summary>
    public const int DefaultFolds = 10;

    /// <summary>The FAR at which VAL is reported.</summary>
    public const double FarTarget = 1e-3;

    /// <summary>Thresholds of the accuracy: <c>np.arange(0, 4, 0.01)</c> (NumPy computes element i as i × step).</summary>
    public static IReadOnlyList<double> AccuracyThresholds { get; } = Enumerable.Range(0, 400).Select(i => i * 0.01).ToArray();

    /// <summary>Thresholds of VAL: <c>np.arange(0, 4, 0.001)</c>.</summary>
    public static IReadOnlyList<double> ValThresholds { get; } = Enumerable.Range(0, 4000).Select(i => i * 0.001).ToArray();

    /// <summary>The fold (0-based) of each of <paramref name="pairs"/> pairs: <c>KFold(n_splits=folds, shuffle=False)</c>.</summary>
    public static int[] FoldIndices(int pairs, int folds = DefaultFolds)
    {
        if (folds < 2) throw new MarginFaceException($"arcface_torch's rule needs at least 2 folds, not {folds}");
        if (pairs < folds) throw new MarginFaceException($"{pairs} pairs cannot be split into {folds} folds");
        var result = new int[pairs];
        var start = 0;
        for (var fold = 0; fold < folds; fold++)
        {
            var size = pairs / folds + (fold < pairs % folds ? 1 : 0);
            Array.Fill(result, fold, start, size);
            start += size;
        }
        return result;
    }

    /// <summary>
    /// The rule on the embeddings of each pair's two images (<paramref name="first"/>[i], <paramref name="second"/>[i]); each is
    /// L2-normalised here (sum an image's and its mirror's embedding before, for flip).
    /// </summary>
    public static ArcFaceVerificationResult Evaluate(IReadOnlyList<float[]> first, IReadOnlyList<float[]> second, IReadOnlyList<bool> same, int folds = DefaultFolds)
    {
        if (first.Count != second.Count || first.Count != same.Count)
            throw new MarginFaceException($"{first.Count} and {second.Count} embeddings for {same.Count} pairs");
        var distances = new double[same.Count];
        for (var i = 0; i < distances.Length; i++) distances[i] = SquaredDistance(first[i], second[i]);
        return EvaluateDistances(distances, same, folds);
    }

    /// <summary>The squared euclidean distance of <paramref name="a"/> and <paramref name="b"/> after L2-normalising each (as scikit-learn's <c>normalize</c>: a zero vector stays zero).</summary>
    public static double SquaredDistance(float[] a, float[] b)
    {
        if (a.Length != b.Length) throw new MarginFaceException($"embeddings of {a.Length} and {b.Length} values");
        double na = 0, nb = 0;
        for (var k = 0; k < a.Length; k++)
        {
            na += (double)a[k] * a[k];
            nb += (double)b[k] * b[k];
        }
        na = na > 0 ? Math.Sqrt(na) : 1;
        nb = nb > 0 ? Math.Sqrt(nb) : 1;
        double sum = 0;
        for (var k = 0; k < a.Length; k++)
        {
            var d = a[k] / na - b[k] / nb;
            sum += d * d;
        }
        return sum;
    }

    /// <summary>The rule on pairs' squared distances (lower = more similar), each in file order.</summary>
    public static ArcFaceVerificationResult EvaluateDistances(IReadOnlyList<double> distances, IReadOnlyList<bool> same, int folds = DefaultFolds)
    {
        if (distances.Count != same.Count) throw new MarginFaceException($"{distances.Count} distances for {same.Count} pairs");
        if (distances.Any(double.IsNaN)) throw new MarginFaceException("a pair's distance is NaN");
        var fold = FoldIndices(distances.Count, folds);
        var accuracies = new double[folds];
        var thresholds = new double[folds];
        var vals = new double[folds];
        var fars = new double[folds];
        for (var k = 0; k < folds; k++)
        {
            var train = Split(distances, same, fold, k, train: true);
            var test = Split(distances, same, fold, k, train: false);
            // Best accuracy on the other folds; strictly better only, so the first best threshold wins a tie (np.argmax).
            var best = 0;
            var bestAccuracy = double.NegativeInfinity;
            for (var t = 0; t < AccuracyThresholds.Count; t++)
            {
                var accuracy = train.Accuracy(AccuracyThresholds[t]);
                if (accuracy > bestAccuracy)
                {
                    bestAccuracy = accuracy;
                    best = t;
                }
            }
            thresholds[k] = AccuracyThresholds[best];
            accuracies[k] = test.Accuracy(thresholds[k]);
            var farTrain = ValThresholds.Select(train.Far).ToArray();
            var threshold = farTrain.Max() >= FarTarget ? Interpolate(farTrain, ValThresholds, FarTarget) : 0.0;
            vals[k] = test.Val(threshold);
            fars[k] = test.Far(threshold);
        }
        return new ArcFaceVerificationResult(accuracies, thresholds, accuracies.Average(), PopulationStd(accuracies),
            vals.Average(), PopulationStd(vals), fars.Average());
    }

    /// <summary>
    /// scipy's <c>interp1d(x, y, kind='slinear')(target)</c> for x non-decreasing (a FAR curve over increasing thresholds, so
    /// its stable sort is itself) with x[0] ≤ target ≤ x[^1]: a linear B-spline with knots at x, evaluated in the interval
    /// [x[i], x[i+1]) that holds the target (the last of equal x values), or at the right end, the first point of the last value.
    /// </summary>
    internal static double Interpolate(double[] x, IReadOnlyList<double> y, double target)
    {
        var i = Array.FindLastIndex(x, v => v <= target);
        if (i < 0) throw new MarginFaceException($"FAR {target} is below the interpolated range");
        if (i == x.Length - 1) return y[Array.IndexOf(x, x[^1])];
        return y[i] + (target - x[i]) / (x[i + 1] - x[i]) * (y[i + 1] - y[i]);
    }

    private static double PopulationStd(double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
    }

    private static Pairs Split(IReadOnlyList<double> distances, IReadOnlyList<bool> same, int[] fold, int k, bool train)
    {
        var positives = new List<double>();
        var negatives = new List<double>();
        for (var i = 0; i < distances.Count; i++)
        {
            if ((fold[i] == k) == train) continue;
            (same[i] ? positives : negatives).Add(distances[i]);
        }
        positives.Sort();
        negatives.Sort();
        return new Pairs([.. positives], [.. negatives]);
    }

    /// <summary>One side of a split: its same and different pairs' distances, sorted, so a count below a threshold is a binary search.</summary>
    private sealed record Pairs(double[] Positives, double[] Negatives)
    {
        /// <summary>(tp + tn) / n with "same" = distance &lt; threshold (calculate_accuracy).</summary>
        public double Accuracy(double threshold)
        {
            var tp = Below(Positives, threshold);
            var tn = Negatives.Length - Below(Negatives, threshold);
            return (double)(tp + tn) / (Positives.Length + Negatives.Length);
        }

        /// <summary>False accepts / different pairs (calculate_val_far); NaN without different pairs.</summary>
        public double Far(double threshold) =>
            Negatives.Length == 0 ? double.NaN : (double)Below(Negatives, threshold) / Negatives.Length;

        /// <summary>True accepts / same pairs (calculate_val_far); NaN without same pairs.</summary>
        public double Val(double threshold) =>
            Positives.Length == 0 ? double.NaN : (double)Below(Positives, threshold) / Positives.Length;

        /// <summary>How many of <paramref name="sorted"/> are strictly below <paramref name="threshold"/>.</summary>
        private static int Below(double[] sorted, double threshold)
        {
            int lo = 0, hi = sorted.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (sorted[mid] < threshold) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }
}
