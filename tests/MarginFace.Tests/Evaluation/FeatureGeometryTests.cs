using MarginFace.Evaluation;

namespace MarginFace.Tests.Evaluation;

public class FeatureGeometryTests
{
    // Class 0: (1,0) and (0,1) → direction (1,1)/√2, each sample 45° off it.
    // Class 1: (-2,0) → direction (-1,0), 0° off.  Class 2: (0,-3) → direction (0,-1), 0° off.
    // Directions: 0–1 135°, 0–2 135°, 1–2 90°.
    private static readonly float[] ThreeClasses = [1, 0, 0, 1, -2, 0, 0, -3];
    private static readonly int[] ThreeClassLabels = [0, 0, 1, 2];

    [Fact]
    public void ClassDirectionIsTheNormalisedMeanOfNormalisedFeatures()
    {
        float[] features = [10, 0, 0, 1]; // lengths must not matter
        var directions = FeatureGeometry.ClassDirections(features, [0, 0], 1);
        Assert.Equal(Math.Sqrt(0.5), directions[0], 12);
        Assert.Equal(Math.Sqrt(0.5), directions[1], 12);
    }

    [Fact]
    public void MeanIntraClassAngleAveragesOverSamplesNotClasses()
    {
        var angle = FeatureGeometry.MeanIntraClassAngle(ThreeClasses, ThreeClassLabels, 3);
        Assert.Equal((45.0 + 45.0 + 0.0 + 0.0) / 4, angle, 9);
    }

    [Fact]
    public void MinInterClassAngleIsTheClosestPairOfClassDirections()
    {
        Assert.Equal(90.0, FeatureGeometry.MinInterClassAngle(ThreeClasses, ThreeClassLabels, 3), 9);
        Assert.Equal(135.0, FeatureGeometry.MinInterClassAngle([1, 0, 0, 1, -2, 0], [0, 0, 1], 2), 9);
    }

    [Fact]
    public void ClassesWithoutSamplesAreSkippedAndFewerThanTwoGiveNaN()
    {
        Assert.Equal(90.0, FeatureGeometry.MinInterClassAngle(ThreeClasses, ThreeClassLabels, 5), 9);
        Assert.True(double.IsNaN(FeatureGeometry.MinInterClassAngle([1, 0, 0, 1], [0, 0], 3)));
    }

    [Fact]
    public void ZeroFeaturesHaveNoDirectionAndAreLeftOut()
    {
        float[] features = [0, 0, 3, 0, 0, 0, 0, 2];
        int[] labels = [0, 0, 1, 1];
        Assert.Equal(0.0, FeatureGeometry.MeanIntraClassAngle(features, labels, 2), 9);
        Assert.Equal(90.0, FeatureGeometry.MinInterClassAngle(features, labels, 2), 9);
    }

    [Fact]
    public void AnglesWorkInThreeDimensions()
    {
        // Class 0 around +z at 60° and class 1 at +x: (sin60,0,cos60) and (-sin60,0,cos60) have mean direction +z.
        var s = (float)Math.Sin(Math.PI / 3);
        float[] features = [s, 0, 0.5f, -s, 0, 0.5f, 5, 0, 0];
        int[] labels = [0, 0, 1];
        Assert.Equal((60.0 + 60.0 + 0.0) / 3, FeatureGeometry.MeanIntraClassAngle(features, labels, 2), 5);
        Assert.Equal(90.0, FeatureGeometry.MinInterClassAngle(features, labels, 2), 5);
    }

    [Fact]
    public void TinyAnglesAreResolvedAccurately()
    {
        // 1e-4 rad apart: acos(cos θ) in double would lose most digits here.
        float[] features = [1, 0, 1, 1e-4f];
        var angle = FeatureGeometry.MinInterClassAngle(features, [0, 1], 2);
        Assert.Equal(Math.Atan(1e-4f) * 180 / Math.PI, angle, 9);
    }

    [Fact]
    public void AnglesDoNotChangeWhenSamplesAreRescaled()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = 30;
            var features = new float[n * 3];
            var scaled = new float[n * 3];
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = random.Next(4);
                var scale = (float)(0.1 + 10 * random.NextDouble());
                for (int d = 0; d < 3; d++)
                {
                    features[i * 3 + d] = (float)(random.NextDouble() * 2 - 1) + labels[i] * (d == labels[i] % 3 ? 1 : 0);
                    scaled[i * 3 + d] = features[i * 3 + d] * scale;
                }
            }
            var intra = FeatureGeometry.MeanIntraClassAngle(features, labels, 4);
            Assert.InRange(intra, 0, 180);
            Assert.Equal(intra, FeatureGeometry.MeanIntraClassAngle(scaled, labels, 4), 4);
            Assert.Equal(FeatureGeometry.MinInterClassAngle(features, labels, 4), FeatureGeometry.MinInterClassAngle(scaled, labels, 4), 4);
        }
    }

    [Fact]
    public void PerClassAccuracyDividesCorrectByTrueClassCountWithNaNForEmptyClasses()
    {
        int[] predicted = [0, 1, 1, 2, 2];
        int[] labels = [0, 1, 0, 2, 2];
        var perClass = FeatureGeometry.PerClassAccuracy(predicted, labels, 4);
        Assert.Equal([0.5, 1.0, 1.0], perClass[..3]);
        Assert.True(double.IsNaN(perClass[3]));
        Assert.Equal(0.8, FeatureGeometry.Accuracy(predicted, labels), 12);
    }

    [Fact]
    public void CosineAndEuclideanNearestCentreDisagreeWhereLengthMatters()
    {
        // Centres: class 0 at (1,0), class 1 at (0,5). The query (0.5,0.6) points more towards class 1
        // but lies much closer to class 0's centre.
        float[] train = [1, 0, 1, 0, 0, 5, 0, 5];
        int[] trainLabels = [0, 0, 1, 1];
        float[] queries = [0.5f, 0.6f, 4, 3, 0.1f, 6];
        Assert.Equal([1, 0, 1], FeatureGeometry.NearestCentre(train, trainLabels, queries, 2, CentreMetric.Cosine));
        Assert.Equal([0, 0, 1], FeatureGeometry.NearestCentre(train, trainLabels, queries, 2, CentreMetric.Euclidean));
    }

    [Fact]
    public void EuclideanCentresArePlainMeansAndCosineCentresAreUnitDirections()
    {
        float[] train = [2, 0, 0, 2, -4, 0];
        int[] labels = [0, 0, 1];
        Assert.Equal([1.0, 1.0, -4.0, 0.0], FeatureGeometry.ClassCentres(train, labels, 2, CentreMetric.Euclidean));
        var cosine = FeatureGeometry.ClassCentres(train, labels, 2, CentreMetric.Cosine);
        Assert.Equal(Math.Sqrt(0.5), cosine[0], 12);
        Assert.Equal(-1.0, cosine[2], 12);
    }

    [Fact]
    public void ClassesMissingFromTrainingAreNeverPredicted()
    {
        float[] train = [1, 0, 0, 1];
        int[] labels = [0, 2];
        var predicted = FeatureGeometry.NearestCentre(train, labels, [0, 0, 1, 0.1f], 3, CentreMetric.Euclidean);
        Assert.DoesNotContain(1, predicted);
        Assert.Equal([0, 0], predicted);
    }

    [Fact]
    public void MismatchedShapesAndLabelsOutOfRangeAreRejected()
    {
        Assert.Throws<ArgumentException>(() => FeatureGeometry.MeanIntraClassAngle([1, 2, 3], [0, 0], 1));
        Assert.Throws<ArgumentException>(() => FeatureGeometry.MeanIntraClassAngle([1, 2], [3], 2));
        Assert.Throws<ArgumentException>(() => FeatureGeometry.PerClassAccuracy([0], [0, 1], 2));
        Assert.Throws<ArgumentException>(() => FeatureGeometry.NearestCentre([1, 0], [0], [1, 0, 0], 1, CentreMetric.Cosine));
    }
}
