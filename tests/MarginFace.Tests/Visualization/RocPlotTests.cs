using MarginFace.Evaluation;
using MarginFace.Visualization;

namespace MarginFace.Tests.Visualization;

public class RocPlotTests
{
    [Fact]
    public void RocCurveIsWrittenAsAPngWithTheCurveAndTheEerMarker()
    {
        var random = new Random(5);
        var same = Enumerable.Range(0, 6000).Select(i => i % 2 == 0).ToArray();
        var scores = same.Select(s => (s ? 1.5 : 0) + random.NextDouble() + random.NextDouble()).ToArray();
        var roc = RocCurve.Compute(scores, same);
        using var temp = new TempDirectory();
        var path = temp.Combine("roc.png");
        RocPlot.Save(path, roc, "synthetic scores, 6,000 pairs");
        using var bitmap = PngAssert.Decodes(path, 900, 700);
        PngAssert.ShowsColours(bitmap, 0, 3);
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void SeparableScoresWithFarZeroEverywherePlot()
    {
        var roc = RocCurve.Compute([0.9, 0.8, 0.3, 0.1], [true, true, false, false]);
        using var temp = new TempDirectory();
        var path = temp.Combine("roc-separable.png");
        RocPlot.Save(path, roc, "separable", "perfect", 600, 500);
        using var bitmap = PngAssert.Decodes(path, 600, 500);
        PngAssert.ShowsColours(bitmap, 0);
    }
}
