using MarginFace.Evaluation;
using MarginFace.Visualization;

namespace MarginFace.Tests.Visualization;

public class CmcPlotTests
{
    [Fact]
    public void CmcCurveIsWrittenAsAPng()
    {
        var result = new IdentificationResult(GalleryTemplate.Mean, 10, 50, 200, 0, [0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 1, 1, 1, 1], null, null, null);
        using var temp = new TempDirectory();
        var path = temp.Combine("cmc.png");
        CmcPlot.Save(path, result, "synthetic CMC");
        using var bitmap = PngAssert.Decodes(path, 900, 700);
        PngAssert.ShowsColours(bitmap, 0);
        Assert.Single(Directory.GetFiles(temp.Path));
    }
}
