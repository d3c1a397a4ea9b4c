using System.Globalization;
using ScottPlot;
using MarginFace.Evaluation;
using MarginFace.Runtime;

namespace MarginFace.Visualization;

/// <summary>The cumulative match characteristic of an identification run as a PNG: identification rate (%) against rank, ranks 1 to at most <c>maxRank</c>.</summary>
internal static class CmcPlot
{
    /// <summary>Writes the CMC of <paramref name="result"/> to <paramref name="path"/> (conventionally <c>cmc.png</c>).</summary>
    public static void Save(string path, IdentificationResult result, string title, int maxRank = 50, int width = 900, int height = 700)
    {
        ArgumentNullException.ThrowIfNull(result);
        int ranks = Math.Min(result.Cmc.Count, maxRank);
        var xs = Enumerable.Range(1, ranks).Select(r => (double)r).ToArray();
        var ys = result.Cmc.Take(ranks).Select(v => 100 * v).ToArray();

        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("rank");
        plot.YLabel("identification rate (%)");
        var curve = plot.Add.Scatter(xs, ys, ClassPalette.Get(0));
        curve.LineWidth = 2.5f;
        curve.MarkerSize = ranks <= 30 ? 7 : 0;
        curve.LegendText = string.Format(CultureInfo.InvariantCulture, "rank-1 {0:F2} %, rank-5 {1:F2} % ({2} probes, {3} identities)",
            100 * result.Rank1, 100 * result.Rank5, result.KnownProbes, result.GalleryIdentities);
        plot.Axes.AutoScale();
        double bottom = Math.Max(0, Math.Floor(ys.Min() / 10) * 10 - 5);
        plot.Axes.SetLimits(0.5, ranks + 0.5, bottom, 101);
        if (ranks <= 20) plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plot.ShowLegend(Alignment.LowerRight);
        PlotFont.Apply(plot);
        AtomicFile.Write(path, temp => plot.SavePng(temp, width, height));
    }
}
