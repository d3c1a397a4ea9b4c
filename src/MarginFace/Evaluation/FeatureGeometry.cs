namespace MarginFace.Evaluation;

/// <summary>
/// Angular geometry of an embedding and nearest-centre classification, in double precision on plain arrays:
/// features are row-major <c>[N,D]</c> (<c>D = features.Length / labels.Length</c>), labels are in <c>[0, classes)</c>.
/// The direction of class <c>c</c> is <c>normalise(mean over i in c of normalise(x_i))</c>; zero-length features have no direction
/// and are left out of every angle.
/// </summary>
internal static class FeatureGeometry
{
    /// <summary>Fraction of <paramref name="predicted"/> equal to <paramref name="labels"/> (NaN when empty).</summary>
    public static double Accuracy(int[] predicted, int[] labels)
    {
        CheckSameLength(predicted, labels);
        if (labels.Length == 0) return double.NaN;
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
            if (predicted[i] == labels[i]) correct++;
        return (double)correct / labels.Length;
    }

    /// <summary>Accuracy within each true class: <c>result[c]</c> = correct / count for label <c>c</c>, NaN for a class with no samples.</summary>
    public static double[] PerClassAccuracy(int[] predicted, int[] labels, int classes)
    {
        CheckSameLength(predicted, labels);
        CheckLabels(labels, classes);
        var correct = new int[classes];
        var count = new int[classes];
        for (int i = 0; i < labels.Length; i++)
        {
            count[labels[i]]++;
            if (predicted[i] == labels[i]) correct[labels[i]]++;
        }
        var result = new double[classes];
        for (int c = 0; c < classes; c++) result[c] = count[c] == 0 ? double.NaN : (double)correct[c] / count[c];
        return result;
    }

    /// <summary>
    /// Unit mean direction of each class, row-major <c>[classes, D]</c>: the normalised mean of the normalised features.
    /// A class with no (non-zero) features, or whose normalised features cancel out, gets a zero row.
    /// </summary>
    public static double[] ClassDirections(float[] features, int[] labels, int classes)
    {
        int dim = FeatureDim(features, labels);
        CheckLabels(labels, classes);
        var sums = new double[classes * dim];
        var unit = new double[dim];
        for (int i = 0; i < labels.Length; i++)
        {
            if (!Normalise(features, i * dim, dim, unit)) continue;
            int row = labels[i] * dim;
            for (int d = 0; d < dim; d++) sums[row + d] += unit[d];
        }
        for (int c = 0; c < classes; c++)
            if (!NormaliseInPlace(sums, c * dim, dim)) Array.Clear(sums, c * dim, dim);
        return sums;
    }

    /// <summary>
    /// Mean over samples of the angle, in degrees, between each sample and its class direction (<see cref="ClassDirections"/>):
    /// how tightly each class is packed angularly. NaN when no sample has a direction.
    /// </summary>
    public static double MeanIntraClassAngle(float[] features, int[] labels, int classes)
    {
        int dim = FeatureDim(features, labels);
        var directions = ClassDirections(features, labels, classes);
        var unit = new double[dim];
        double sum = 0;
        int count = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int row = labels[i] * dim;
            if (!Normalise(features, i * dim, dim, unit) || IsZero(directions, row, dim)) continue;
            sum += AngleDegrees(unit, 0, directions, row, dim);
            count++;
        }
        return count == 0 ? double.NaN : sum / count;
    }

    /// <summary>
    /// Smallest angle, in degrees, between the directions (<see cref="ClassDirections"/>) of two different classes:
    /// how well the closest pair of classes is separated. Classes without a direction are skipped; NaN when fewer than two remain.
    /// </summary>
    public static double MinInterClassAngle(float[] features, int[] labels, int classes)
    {
        int dim = FeatureDim(features, labels);
        var directions = ClassDirections(features, labels, classes);
        double min = double.NaN;
        for (int a = 0; a < classes; a++)
        {
            if (IsZero(directions, a * dim, dim)) continue;
            for (int b = a + 1; b < classes; b++)
            {
                if (IsZero(directions, b * dim, dim)) continue;
                var angle = AngleDegrees(directions, a * dim, directions, b * dim, dim);
                if (double.IsNaN(min) || angle < min) min = angle;
            }
        }
        return min;
    }

    /// <summary>
    /// Class centres from training embeddings, row-major <c>[classes, D]</c>: for <see cref="CentreMetric.Cosine"/> the
    /// <see cref="ClassDirections"/>, for <see cref="CentreMetric.Euclidean"/> the plain means (zero rows for empty classes).
    /// </summary>
    public static double[] ClassCentres(float[] trainFeatures, int[] trainLabels, int classes, CentreMetric metric)
    {
        if (metric == CentreMetric.Cosine) return ClassDirections(trainFeatures, trainLabels, classes);
        int dim = FeatureDim(trainFeatures, trainLabels);
        CheckLabels(trainLabels, classes);
        var sums = new double[classes * dim];
        var count = new int[classes];
        for (int i = 0; i < trainLabels.Length; i++)
        {
            count[trainLabels[i]]++;
            for (int d = 0; d < dim; d++) sums[trainLabels[i] * dim + d] += trainFeatures[i * dim + d];
        }
        for (int c = 0; c < classes; c++)
            for (int d = 0; d < dim; d++)
                if (count[c] > 0) sums[c * dim + d] /= count[c];
        return sums;
    }

    /// <summary>
    /// Nearest-class-centre classification, for losses without a classifier (contrastive, triplet): centres come from
    /// <paramref name="trainFeatures"/>/<paramref name="trainLabels"/> (<see cref="ClassCentres"/>), and each row of
    /// <paramref name="features"/> gets the label of its nearest centre under <paramref name="metric"/>.
    /// Classes absent from the training set are never predicted; ties go to the lower label.
    /// </summary>
    public static int[] NearestCentre(float[] trainFeatures, int[] trainLabels, float[] features, int classes, CentreMetric metric)
    {
        int dim = FeatureDim(trainFeatures, trainLabels);
        if (features.Length % dim != 0)
            throw new ArgumentException($"{features.Length} feature values are not a whole number of {dim}-dimensional rows", nameof(features));
        var centres = ClassCentres(trainFeatures, trainLabels, classes, metric);
        var present = new bool[classes];
        foreach (var label in trainLabels) present[label] = true;
        int n = features.Length / dim;
        var predicted = new int[n];
        var unit = new double[dim];
        for (int i = 0; i < n; i++)
        {
            int best = -1;
            double bestScore = double.NegativeInfinity;
            bool hasDirection = metric != CentreMetric.Cosine || Normalise(features, i * dim, dim, unit);
            for (int c = 0; c < classes; c++)
            {
                if (!present[c]) continue;
                double score = 0;
                for (int d = 0; d < dim; d++)
                {
                    if (metric == CentreMetric.Cosine)
                    {
                        if (hasDirection) score += unit[d] * centres[c * dim + d];
                    }
                    else
                    {
                        double diff = features[i * dim + d] - centres[c * dim + d];
                        score -= diff * diff;
                    }
                }
                if (score > bestScore)
                {
                    bestScore = score;
                    best = c;
                }
            }
            predicted[i] = best;
        }
        return predicted;
    }

    /// <summary>Angle in degrees between two unit vectors, as <c>2·atan2(|a−b|, |a+b|)</c>: accurate near 0° and 180°, unlike <c>acos</c>.</summary>
    private static double AngleDegrees(double[] a, int aOffset, double[] b, int bOffset, int dim)
    {
        double minus = 0, plus = 0;
        for (int d = 0; d < dim; d++)
        {
            double x = a[aOffset + d], y = b[bOffset + d];
            minus += (x - y) * (x - y);
            plus += (x + y) * (x + y);
        }
        return 2 * Math.Atan2(Math.Sqrt(minus), Math.Sqrt(plus)) * 180 / Math.PI;
    }

    private static bool Normalise(float[] source, int offset, int dim, double[] target)
    {
        double norm = 0;
        for (int d = 0; d < dim; d++) norm += (double)source[offset + d] * source[offset + d];
        norm = Math.Sqrt(norm);
        if (!(norm > 0) || double.IsInfinity(norm)) return false;
        for (int d = 0; d < dim; d++) target[d] = source[offset + d] / norm;
        return true;
    }

    private static bool NormaliseInPlace(double[] values, int offset, int dim)
    {
        double norm = 0;
        for (int d = 0; d < dim; d++) norm += values[offset + d] * values[offset + d];
        norm = Math.Sqrt(norm);
        if (!(norm > 1e-12)) return false;
        for (int d = 0; d < dim; d++) values[offset + d] /= norm;
        return true;
    }

    private static bool IsZero(double[] values, int offset, int dim)
    {
        for (int d = 0; d < dim; d++)
            if (values[offset + d] != 0) return false;
        return true;
    }

    private static int FeatureDim(float[] features, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length == 0) throw new ArgumentException("no samples", nameof(labels));
        if (features.Length == 0 || features.Length % labels.Length != 0)
            throw new ArgumentException($"{features.Length} feature values do not split into {labels.Length} rows", nameof(features));
        return features.Length / labels.Length;
    }

    private static void CheckLabels(int[] labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        foreach (var label in labels)
            if (label < 0 || label >= classes)
                throw new ArgumentException($"label {label} is outside [0, {classes})", nameof(labels));
    }

    private static void CheckSameLength(int[] predicted, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(labels);
        if (predicted.Length != labels.Length)
            throw new ArgumentException($"{predicted.Length} predictions for {labels.Length} labels", nameof(predicted));
    }
}
