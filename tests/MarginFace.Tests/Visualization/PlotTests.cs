using MarginFace.Visualization;

namespace MarginFace.Tests.Visualization;

public class PlotTests
{
    [Fact]
    public void TrainingCurvesAreWrittenAsOnePngWithLossAndAccuracyCurves()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("curves.png");
        double[] loss = [2.1, 1.2, 0.8, 0.55, 0.41, 0.35, 0.31, 0.29];
        double[] trainAccuracy = [0.41, 0.72, 0.86, 0.91, 0.94, 0.95, 0.96, 0.965];
        double[] testAccuracy = [0.45, 0.74, 0.85, 0.90, 0.92, 0.94, 0.95, 0.955];
        TrainingCurvesPlot.Save(path, loss, trainAccuracy, testAccuracy, "ClsNet, ArcFace (s=16, m=0.5), MNIST");
        using var bitmap = PngAssert.Decodes(path, 900, 800);
        PngAssert.ShowsColours(bitmap, 0, 1, 3); // palette colours of train accuracy, test accuracy, loss
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));
    }

    [Fact]
    public void TrainingCurvesAcceptMissingTestAccuracyAndASingleEpoch()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("curves-one-epoch.png");
        TrainingCurvesPlot.Save(path, [1.5], [0.6], null, "one epoch");
        using var bitmap = PngAssert.Decodes(path, 900, 800);
    }

    [Fact]
    public void NormalizedFeaturePlotDrawsEveryClassAndTheWeightRays()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("normalized.png");
        var (features, labels) = SyntheticFeatures.Circle(300, 6);
        NormalizedFeaturePlot.Save(path, features, labels, SyntheticFeatures.DigitNames, SyntheticFeatures.CircleWeights(3),
            "ClsNet, CosFace (s=16, m=0.35), normalised test features");
        using var bitmap = PngAssert.Decodes(path, 900, 800);
        PngAssert.ShowsClassColours(bitmap, 10);
    }

    [Fact]
    public void NormalizedFeaturePlotIsDeterministicAndWorksWithoutWeights()
    {
        using var temp = new TempDirectory();
        var (features, labels) = SyntheticFeatures.Circle(50, 15);
        NormalizedFeaturePlot.Save(temp.Combine("a.png"), features, labels, SyntheticFeatures.DigitNames, null, "no weights");
        NormalizedFeaturePlot.Save(temp.Combine("b.png"), features, labels, SyntheticFeatures.DigitNames, null, "no weights");
        Assert.Equal(File.ReadAllBytes(temp.Combine("a.png")), File.ReadAllBytes(temp.Combine("b.png")));
    }

    [Fact]
    public void NormalizedFeaturePlotRejectsMismatchedShapes()
    {
        using var temp = new TempDirectory();
        Assert.Throws<ArgumentException>(() =>
            NormalizedFeaturePlot.Save(temp.Combine("x.png"), [1, 2, 3], [0, 1], ["a", "b"], null, "bad"));
        Assert.Throws<ArgumentException>(() =>
            NormalizedFeaturePlot.Save(temp.Combine("x.png"), [1, 2], [0], ["a", "b"], [1, 0], "bad"));
        Assert.Throws<ArgumentException>(() =>
            NormalizedFeaturePlot.Save(temp.Combine("x.png"), [1, 2], [2], ["a", "b"], null, "bad"));
    }

    [Fact]
    public void SpherePlotShowsTwoViewsWithEveryClassAndASharedLegend()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("sphere.png");
        var (features, labels) = SyntheticFeatures.Sphere(300, 0.12);
        SphereFeaturePlot.Save(path, features, labels, SyntheticFeatures.DigitNames, "LeNet++, ArcFace, 3-D features on the unit sphere");
        using var bitmap = PngAssert.Decodes(path, 1400, 760);
        PngAssert.ShowsClassColours(bitmap, 10);
    }

    [Fact]
    public void SpherePlotIsReadableAtTheDefaultFeaturePlotSize()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("sphere-900.png");
        var (features, labels) = SyntheticFeatures.Sphere(100, 0.2, seed: 5);
        SphereFeaturePlot.Save(path, features, labels, SyntheticFeatures.DigitNames, "900×800 sphere", 900, 800);
        using var bitmap = PngAssert.Decodes(path, 900, 800);
        PngAssert.ShowsClassColours(bitmap, 10);
    }

    [Fact]
    public void ClassPaletteMatchesScottPlotCategory10UsedByFeatureScatterPlot()
    {
        var category10 = new ScottPlot.Palettes.Category10();
        for (int c = 0; c < 12; c++)
            Assert.Equal(category10.GetColor(c).ToHex().ToLowerInvariant()[..7], ClassPalette.Hex(c));
        Assert.Equal(ClassPalette.Rgb(0), ClassPalette.Rgb(10));
    }
}
