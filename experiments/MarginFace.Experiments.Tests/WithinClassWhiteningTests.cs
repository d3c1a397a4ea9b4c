namespace MarginFace.Experiments.Tests;

public class WithinClassWhiteningTests : TorchTest
{
    [Fact]
    public void AHandExampleGivesTheMeanOfAllVectorsAndTheInverseSquareRootOfTheWithinClassCovariance()
    {
        // a: (1, 0), (5, 0); b: (0, 1), (0, −1); c: (5, 5) alone, so in μ but not in S_w.
        // μ = (11/5, 5/5) = (2.2, 1). Residuals (∓2, 0), (0, ±1): S_w = diag(8, 2)/4 = diag(2, 0.5), W = diag(1/√2, √2).
        double[][] vectors = [[1, 0], [5, 0], [0, 1], [0, -1], [5, 5]];
        var whitening = WithinClassWhitening.Fit(vectors, ["a", "a", "b", "b", "c"]);

        Assert.Equal(new[] { 2.2, 1.0 }, whitening.Mean, new ToleranceComparer(1e-15));
        Assert.Equal(new[] { 0.5, 2.0 }, whitening.Eigenvalues, new ToleranceComparer(1e-14));
        Assert.Equal((4, 2), (whitening.WithinClassVectors, whitening.WithinClassClasses));
        Assert.Equal(1 / Math.Sqrt(2), whitening.Transform(0, 0), 14);
        Assert.Equal(Math.Sqrt(2), whitening.Transform(1, 1), 14);
        Assert.Equal(0, whitening.Transform(0, 1), 14);
        Assert.Equal(new[] { -1.2 / Math.Sqrt(2), -Math.Sqrt(2) }, whitening.Apply([1, 0]), new ToleranceComparer(1e-14));
    }

    [Fact]
    public void TheTransformIsSymmetricAndWhitensTheWithinClassCovarianceOfCorrelatedData()
    {
        var random = new Random(7);
        const int d = 3;
        var vectors = new List<double[]>();
        var labels = new List<string>();
        for (int c = 0; c < 20; c++)
        {
            var centre = Enumerable.Range(0, d).Select(_ => 3 * random.NextDouble()).ToArray();
            for (int i = 0; i < 1 + c % 4; i++)
            {
                double u = random.NextDouble() - 0.5, v = random.NextDouble() - 0.5, w = random.NextDouble() - 0.5;
                vectors.Add([centre[0] + u, centre[1] + 0.8 * u + 0.1 * v, centre[2] + 0.01 * w - 0.3 * v]);
                labels.Add($"c{c}");
            }
        }

        var whitening = WithinClassWhitening.Fit(vectors, labels);

        // S_w by its definition, then W S_w W = I.
        var scatter = new double[d, d];
        int n = 0;
        foreach (var group in Enumerable.Range(0, vectors.Count).GroupBy(i => labels[i]).Where(g => g.Count() >= 2))
        {
            var centre = Enumerable.Range(0, d).Select(j => group.Average(i => vectors[i][j])).ToArray();
            foreach (var i in group)
            {
                n++;
                for (int a = 0; a < d; a++)
                    for (int b = 0; b < d; b++) scatter[a, b] += (vectors[i][a] - centre[a]) * (vectors[i][b] - centre[b]);
            }
        }
        Assert.Equal(n, whitening.WithinClassVectors);
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
            {
                Assert.Equal(whitening.Transform(a, b), whitening.Transform(b, a), 12);
                double product = 0;
                for (int p = 0; p < d; p++)
                    for (int q = 0; q < d; q++) product += whitening.Transform(a, p) * scatter[p, q] / n * whitening.Transform(q, b);
                Assert.Equal(a == b ? 1.0 : 0.0, product, 9);
            }
        var mean = Enumerable.Range(0, d).Select(j => vectors.Average(v => v[j])).ToArray();
        Assert.Equal(new double[d], whitening.Apply(mean), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void DataThatCannotGiveAnInvertibleWithinClassCovarianceIsRefusedWithTheReason()
    {
        Assert.Equal("within-class whitening needs a class with two or more vectors; all 3 are alone in theirs",
            Assert.Throws<MarginFaceException>(() => WithinClassWhitening.Fit([[1.0, 0], [0, 1.0], [1.0, 1]], ["a", "b", "c"])).Message);
        Assert.Equal("within-class whitening of 3 dimensions needs at least 3 within-class degrees of freedom, got 2 (4 vectors of 2 classes with two or more)",
            Assert.Throws<MarginFaceException>(() => WithinClassWhitening.Fit([[1.0, 0, 0], [0, 1.0, 0], [1.0, 1, 0], [0, 0, 1.0]], ["a", "a", "b", "b"])).Message);
        // Enough vectors, but none varies within its class along y.
        var singular = Assert.Throws<MarginFaceException>(() => WithinClassWhitening.Fit([[0.0, 0], [1.0, 0], [2.0, 0], [0, 1.0], [1.0, 1], [2.0, 1]], ["a", "a", "a", "b", "b", "b"]));
        Assert.StartsWith("within-class whitening: the within-class covariance is singular", singular.Message);
        Assert.Equal("within-class whitening needs vectors of one length, got 2 and 3",
            Assert.Throws<MarginFaceException>(() => WithinClassWhitening.Fit([[1.0, 0], [0, 1.0, 2]], ["a", "a"])).Message);
        Assert.Throws<ArgumentException>(() => WithinClassWhitening.Fit([[1.0, 0]], ["a", "b"]));
    }
}
