using System.Numerics;
using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Tests.Pipeline;

public class FaceAlignerTests
{
    private static Vector2[] RandomPoints(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => new Vector2((float)(random.NextDouble() * 200 - 50), (float)(random.NextDouble() * 200 - 50))).ToArray();

    private static double Residual(double[] m, IReadOnlyList<Vector2> source, IReadOnlyList<Vector2> target) =>
        source.Select((p, i) => Math.Pow(m[0] * p.X + m[1] * p.Y + m[2] - target[i].X, 2) + Math.Pow(m[3] * p.X + m[4] * p.Y + m[5] - target[i].Y, 2)).Sum();

    [Theory]
    [InlineData(1.0, 0.0, 0.0, 0.0)]
    [InlineData(0.37, 0.6, 12.5, -40.25)]
    [InlineData(2.5, -2.9, -100.0, 7.0)]
    [InlineData(1.1, Math.PI, 3.0, 3.0)]
    public void UmeyamaRecoversAKnownSimilarityFromNoiseFreePoints(double scale, double angle, double tx, double ty)
    {
        var random = new Random(7);
        var source = RandomPoints(random, 5);
        double a = scale * Math.Cos(angle), b = scale * Math.Sin(angle);
        double[] truth = [a, -b, tx, b, a, ty];
        // Targets in double precision rounded once to float, as landmarks are; the estimate must reproduce the truth to float rounding.
        var target = source.Select(p => SimilarityTransform.Apply(truth, p)).ToArray();
        var estimate = SimilarityTransform.Estimate(source, target);
        for (int i = 0; i < 6; i++) Assert.Equal(truth[i], estimate[i], 4);
        Assert.True(Residual(estimate, source, target) < 1e-6);
    }

    [Fact]
    public void UmeyamaIsTheLeastSquaresSimilarityForNoisyPoints()
    {
        var random = new Random(3);
        var source = RandomPoints(random, 5);
        var target = source.Select(p => new Vector2(0.8f * p.Y + 10 + (float)random.NextDouble() * 4, -0.8f * p.X + 5 + (float)random.NextDouble() * 4)).ToArray();
        var best = SimilarityTransform.Estimate(source, target);
        var error = Residual(best, source, target);
        // Any step in a, b, tx or ty (the four parameters of a similarity) increases the squared error.
        double[][] steps = [[1, 0, 0, 0, 1, 0], [0, -1, 0, 1, 0, 0], [0, 0, 1, 0, 0, 0], [0, 0, 0, 0, 0, 1]];
        foreach (var step in steps)
            foreach (var h in new[] { 1e-3, -1e-3 })
                Assert.True(Residual(best.Select((v, i) => v + h * step[i]).ToArray(), source, target) > error);
    }

    [Fact]
    public void UmeyamaNeverReturnsAReflection()
    {
        var source = RandomPoints(new Random(5), 5);
        var mirrored = source.Select(p => new Vector2(-p.X, p.Y)).ToArray();
        var m = SimilarityTransform.Estimate(source, mirrored);
        Assert.True(m[0] * m[4] - m[1] * m[3] >= 0);
    }

    [Fact]
    public void CoincidentLandmarksAreAnError()
    {
        var same = Enumerable.Repeat(new Vector2(3, 4), 5).ToArray();
        Assert.Throws<MarginFaceException>(() => SimilarityTransform.Estimate(same, AlignmentTemplate.ArcFace112.Points));
    }

    [Theory]
    [InlineData("112")]
    [InlineData("96x112")]
    [InlineData("128")]
    [InlineData("150")]
    public void AligningAnImageWhoseLandmarksAreTheTemplateIsTheIdentity(string name)
    {
        var template = AlignmentTemplate.Find(name)!;
        var random = new Random(11);
        var pixels = new byte[template.Width * template.Height * 3];
        random.NextBytes(pixels);
        var image = new RgbImage(template.Width, template.Height, 3, pixels);
        var aligned = new FaceAligner(template).Align(image, template.Points);
        Assert.Equal((template.Width, template.Height), (aligned.Width, aligned.Height));
        Assert.Equal(pixels, aligned.Pixels);
    }

    [Fact]
    public void AFaceTwiceAsLargeAndShiftedIsBroughtBackOntoTheTemplate()
    {
        // A 300×300 image whose landmarks are the template × 2 + (40, 30): the crop samples the image at exactly those positions.
        var template = AlignmentTemplate.ArcFace112;
        var landmarks = template.Points.Select(p => p * 2 + new Vector2(40, 30)).ToArray();
        var m = new FaceAligner(template).Transform(landmarks);
        double[] expected = [0.5, 0, -20, 0, 0.5, -15];
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], m[i], 4);
    }

    [Fact]
    public void VariantTemplatesAreTheStandardOneShiftedOrScaled()
    {
        var standard = AlignmentTemplate.ArcFace112.Points;
        Assert.Equal(standard.Select(p => p.X - 8), AlignmentTemplate.ArcFace96x112.Points.Select(p => p.X));
        Assert.Equal(standard.Select(p => p.Y * 128 / 112), AlignmentTemplate.ArcFace128.Points.Select(p => p.Y), new FloatTolerance(1e-4f));
        Assert.Null(AlignmentTemplate.Find("64"));
    }

    [Fact]
    public void DlibChipTemplateIsDlibsMeanFacePlacedWithQuarterPadding()
    {
        var points = AlignmentTemplate.DlibChip150.Points;
        // Nose tip: dlib mean-face point 30 = (0.490127, 0.515625) → (0.25 + p) × 100.
        Assert.Equal(74.0127f, points[2].X, 3);
        Assert.Equal(76.5625f, points[2].Y, 3);
        // Eyes level and mirror images about the nose's vertical; mouth corners likewise.
        Assert.Equal(points[0].Y, points[1].Y, 4);
        Assert.Equal(points[2].X, (points[0].X + points[1].X) / 2, 3);
        Assert.Equal(points[2].X, (points[3].X + points[4].X) / 2, 3);
        Assert.True(points[0].X < points[1].X && points[3].X < points[4].X && points[1].Y < points[2].Y && points[2].Y < points[3].Y);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
