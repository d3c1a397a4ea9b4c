using static TorchSharp.torch;

namespace MarginFace.Experiments;

/// <summary>
/// Within-class covariance normalisation, WCCN (Hatch, Kajarekar &amp; Stolcke, 2006): z = W(x − μ) with W = S_w^(−1/2), μ the mean of
/// every fitted vector and S_w = (1/N) Σ_p Σ_{i∈p} (x_i − μ_p)(x_i − μ_p)ᵀ over the classes p with two or more vectors (N of them in
/// all, μ_p each class's mean). Cosines of z weigh each direction by how little it varies within one class. In float64.
/// </summary>
public sealed class WithinClassWhitening
{
    private readonly double[] mean;
    private readonly double[] transform;

    private WithinClassWhitening(double[] mean, double[] transform, double[] eigenvalues, int vectors, int classes)
    {
        this.mean = mean;
        this.transform = transform;
        Eigenvalues = eigenvalues;
        WithinClassVectors = vectors;
        WithinClassClasses = classes;
    }

    public int Dimension => mean.Length;

    /// <summary>The eigenvalues of S_w, ascending.</summary>
    public IReadOnlyList<double> Eigenvalues { get; }

    /// <summary>How many vectors (of classes with two or more) S_w was estimated from.</summary>
    public int WithinClassVectors { get; }

    /// <summary>How many classes had two or more vectors.</summary>
    public int WithinClassClasses { get; }

    /// <summary>μ, the mean of every fitted vector.</summary>
    public IReadOnlyList<double> Mean => mean;

    /// <summary>W = S_w^(−1/2) (symmetric) at row <paramref name="row"/>, column <paramref name="column"/>.</summary>
    public double Transform(int row, int column) => transform[row * Dimension + column];

    /// <summary>
    /// Fits μ and W to <paramref name="vectors"/> labelled by <paramref name="labels"/> (ordinal). A singular S_w (fewer within-class
    /// degrees of freedom than dimensions, or vectors that never vary along some direction) is a <see cref="MarginFaceException"/>.
    /// </summary>
    public static WithinClassWhitening Fit(IReadOnlyList<double[]> vectors, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(labels);
        if (vectors.Count != labels.Count) throw new ArgumentException($"{vectors.Count} vectors for {labels.Count} labels", nameof(labels));
        if (vectors.Count == 0) throw new MarginFaceException("within-class whitening needs vectors, got none");
        int d = vectors[0].Length;
        if (vectors.Any(v => v.Length != d)) throw new MarginFaceException($"within-class whitening needs vectors of one length, got {d} and {vectors.First(v => v.Length != d).Length}");
        if (vectors.Any(v => v.Any(x => !double.IsFinite(x)))) throw new MarginFaceException("within-class whitening needs finite vectors");

        var mean = new double[d];
        foreach (var v in vectors)
            for (int j = 0; j < d; j++) mean[j] += v[j];
        for (int j = 0; j < d; j++) mean[j] /= vectors.Count;

        var scatter = new double[d, d];
        int used = 0, classes = 0;
        foreach (var group in Enumerable.Range(0, vectors.Count).GroupBy(i => labels[i], StringComparer.Ordinal))
        {
            var members = group.ToList();
            if (members.Count < 2) continue;
            classes++;
            used += members.Count;
            var centre = new double[d];
            foreach (var i in members)
                for (int j = 0; j < d; j++) centre[j] += vectors[i][j];
            for (int j = 0; j < d; j++) centre[j] /= members.Count;
            var r = new double[d];
            foreach (var i in members)
            {
                for (int j = 0; j < d; j++) r[j] = vectors[i][j] - centre[j];
                for (int a = 0; a < d; a++)
                    for (int b = a; b < d; b++) scatter[a, b] += r[a] * r[b];
            }
        }
        if (classes == 0) throw new MarginFaceException($"within-class whitening needs a class with two or more vectors; all {vectors.Count} are alone in theirs");
        if (used - classes < d)
            throw new MarginFaceException($"within-class whitening of {d} dimensions needs at least {d} within-class degrees of freedom, " +
                $"got {used - classes} ({used} vectors of {classes} classes with two or more)");
        var flat = new double[d * d];
        for (int a = 0; a < d; a++)
            for (int b = a; b < d; b++) flat[a * d + b] = flat[b * d + a] = scatter[a, b] / used;

        using var scope = NewDisposeScope();
        var (values, vectorsOfS) = linalg.eigh(tensor(flat, new long[] { d, d }, ScalarType.Float64));
        var eigenvalues = values.data<double>().ToArray();
        if (!(eigenvalues[0] > eigenvalues[^1] * 1e-12))
            throw new MarginFaceException($"within-class whitening: the within-class covariance is singular (eigenvalues {eigenvalues[0]:G3} to {eigenvalues[^1]:G3})");
        var transform = vectorsOfS.matmul(diag(values.pow(-0.5))).matmul(vectorsOfS.t()).contiguous().data<double>().ToArray();
        return new WithinClassWhitening(mean, transform, eigenvalues, used, classes);
    }

    /// <summary>z = W(x − μ).</summary>
    public double[] Apply(IReadOnlyList<double> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Count != Dimension) throw new ArgumentException($"a vector of {x.Count} values for whitening of {Dimension}", nameof(x));
        int d = Dimension;
        var centred = new double[d];
        for (int j = 0; j < d; j++) centred[j] = x[j] - mean[j];
        var z = new double[d];
        for (int a = 0; a < d; a++)
        {
            double sum = 0;
            for (int b = 0; b < d; b++) sum += transform[a * d + b] * centred[b];
            z[a] = sum;
        }
        return z;
    }
}
