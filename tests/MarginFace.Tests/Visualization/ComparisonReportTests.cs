using System.Text.RegularExpressions;
using MarginFace.Visualization;

namespace MarginFace.Tests.Visualization;

public class ComparisonReportTests
{
    private static string WritePlot(TempDirectory temp, string relativePath, double spread)
    {
        var path = temp.Combine(relativePath.Split('/'));
        var (features, labels) = SyntheticFeatures.Circle(40, spread);
        NormalizedFeaturePlot.Save(path, features, labels, SyntheticFeatures.DigitNames, null, Path.GetFileNameWithoutExtension(path), 400, 360);
        return path;
    }

    private static ReportEntry[] ThreeEntries(TempDirectory temp) =>
    [
        new("softmax", 0.9812, 21.34, 18.5, 10, 95.2, 6315.8, WritePlot(temp, "plots/softmax features.png", 20), Training: "sgd 0.05, shift 2"),
        new("CosFace (s=16, m=0.35)", 0.9901, 7.25, 30.1, 10, 97.0, 6185.6, WritePlot(temp, "plots/cosface.png", 8)),
        new("triplet", 0.9733, double.NaN, double.NaN, 12, 120.5, 5975.1, WritePlot(temp, "plots/triplet.png", 12)),
    ];

    [Fact]
    public void HtmlEmbedsOneImagePerEntryAndOneTableRowPerEntry()
    {
        using var temp = new TempDirectory();
        var entries = ThreeEntries(temp);
        var output = temp.Combine("report");
        ComparisonReport.Write(output, entries, "MNIST, ClsNet, 2-D features");

        var html = File.ReadAllText(Path.Combine(output, ComparisonReport.HtmlFileName));
        var images = Regex.Matches(html, "<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        Assert.Equal(entries.Length, images.Count);
        for (int i = 0; i < entries.Length; i++)
            Assert.Equal(File.ReadAllBytes(entries[i].FeaturePlotPath), Convert.FromBase64String(images[i].Groups[1].Value));

        var body = html[html.IndexOf("<tbody>", StringComparison.Ordinal)..html.IndexOf("</tbody>", StringComparison.Ordinal)];
        Assert.Equal(entries.Length, Regex.Matches(body, "<tr>").Count);
        Assert.Contains("<td>softmax</td><td class=\"number\">98.12 %</td><td class=\"number\">21.3°</td><td class=\"number\">18.5°</td>" +
            "<td class=\"number\">10</td><td class=\"number\">95.2 s</td><td class=\"number\">6,316</td><td>sgd 0.05, shift 2</td>", body);
        Assert.Contains("<td>triplet</td><td class=\"number\">97.33 %</td><td class=\"number\">–</td>", body);
        Assert.DoesNotContain("src=\"plots", html); // self-contained: no file references
        PngAssert.Keep(Path.Combine(output, ComparisonReport.HtmlFileName));
    }

    [Fact]
    public void TextIsHtmlEscaped()
    {
        using var temp = new TempDirectory();
        var plot = WritePlot(temp, "a.png", 10);
        ComparisonReport.Write(temp.Path, [new("<script>alert(1)</script> & \"m\"", 0.5, 1, 2, 1, 1, 1, plot)], "A < B & C");
        var html = File.ReadAllText(temp.Combine(ComparisonReport.HtmlFileName));
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;m&quot;", html);
        Assert.Contains("<h1>A &lt; B &amp; C</h1>", html);
    }

    [Fact]
    public void MarkdownHasTheSameTableAndRelativeEscapedImageLinks()
    {
        using var temp = new TempDirectory();
        var entries = ThreeEntries(temp);
        var output = temp.Combine("report");
        ComparisonReport.Write(output, entries, "MNIST, ClsNet, 2-D features");

        var md = File.ReadAllText(Path.Combine(output, ComparisonReport.MarkdownFileName));
        var rows = md.Split('\n').Where(line => line.StartsWith("| ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2 + entries.Length, rows.Count); // header, alignment row, one per entry
        Assert.Equal("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |", rows[1]);
        Assert.Contains("| softmax | 98.12 % | 21.3° | 18.5° | 10 | 95.2 s | 6,316 | sgd 0.05, shift 2 |", rows);
        Assert.Contains("| triplet | 97.33 % | – | – | 12 | 120.5 s | 5,975 | – |", rows);
        Assert.Contains("](../plots/softmax%20features.png)", md);
        Assert.Contains("](../plots/cosface.png)", md);
        Assert.Equal(entries.Length, Regex.Matches(md, @"!\[").Count);
        Assert.Contains("| CosFace (s=16, m=0.35) |", md);
        PngAssert.Keep(Path.Combine(output, ComparisonReport.MarkdownFileName));
    }

    [Fact]
    public void NormalisedPlotsAreShownNextToFeaturePlotsAndMissingImagesAreMarked()
    {
        using var temp = new TempDirectory();
        var features = WritePlot(temp, "f.png", 10);
        var normalised = WritePlot(temp, "n.png", 5);
        ReportEntry[] entries =
        [
            new("ArcFace | m=0.5", 0.99, 5, 33, 8, 80, 6000, features, normalised),
            new("SphereFace", 0.98, 6, 30, 8, 81, 5900, temp.Combine("does-not-exist.png")),
        ];
        ComparisonReport.Write(temp.Path, entries, "with normalised plots");
        var html = File.ReadAllText(temp.Combine(ComparisonReport.HtmlFileName));
        Assert.Equal(2, Regex.Matches(html, "<img ").Count);
        Assert.Contains("image not found", html);
        var md = File.ReadAllText(temp.Combine(ComparisonReport.MarkdownFileName));
        Assert.Contains("| ArcFace \\| m=0.5 |", md);
        Assert.Contains("](n.png)", md);
        Assert.Contains("image not found", md);
    }
}
