using System.Globalization;
using ScottPlot;
using MarginFace.Evaluation;
using MarginFace.Runtime;

namespace MarginFace.Visualization;

/// <summary>
/// A verification ROC curve as a PNG: TAR against FAR on a logarithmic FAR axis (the face-verification convention), with dashed lines
/// at the FARs of <see cref="VerificationReport.FarTargets"/>. Operating points with FAR = 0 are drawn at the left edge of the axis, the
/// power of ten at or below min(1/negatives, 1e-4).
/// </summary>
internal static class RocPlot
{
    /// <summary>Writes the curve of <paramref name="roc"/> to <paramref name="path"/> (conventionally <c>roc.png</c>); <paramref name="label"/> names it in the legend.</summary>
    public static void Save(string path, RocCurve roc, string title, string label = "scores", int width = 900, int height = 700)
    {
        ArgumentNullException.ThrowIfNull(roc);
        int lowestExponent = (int)Math.Floor(Math.Log10(Math.Min(1.0 / roc.Negatives, 1e-4)));
        double left = lowestExponent;

        var xs = new double[roc.Points.Count];
        var ys = new double[roc.Points.Count];
        for (int i = 0; i < roc.Points.Count; i++)
        {
            xs[i] = roc.Points[i].Far > 0 ? Math.Max(Math.Log10(roc.Points[i].Far), left) : left;
            ys[i] = roc.Points[i].Tar;
        }

        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("false accept rate (FAR)");
        plot.YLabel("true accept rate (TAR)");
        foreach (var (name, far) in VerificationReport.FarTargets)
        {
            var line = plot.Add.VerticalLine(Math.Log10(far), 1.5f, Colors.Gray, LinePattern.Dashed);
            line.LabelText = $"FAR {name}";
            line.LabelFontName = PlotFont.Family;
        }
        var curve = plot.Add.Scatter(xs, ys, ClassPalette.Get(0));
        curve.LineWidth = 2.5f;
        curve.MarkerSize = 0;
        curve.LegendText = string.Format(CultureInfo.InvariantCulture, "{0}: AUC {1:F4}, EER {2:F2} %", label, roc.Auc, 100 * roc.Eer);
        if (roc.Eer > 0)
        {
            var eer = plot.Add.ScatterPoints(new[] { Math.Max(Math.Log10(roc.Eer), left) }, new[] { 1 - roc.Eer }, ClassPalette.Get(3));
            eer.MarkerSize = 9;
            eer.LegendText = "EER";
        }

        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int e = lowestExponent; e <= 0; e++)
        {
            ticks.AddMajor(e, e == 0 ? "1" : $"1e{e}");
            if (e < 0)
                for (int k = 2; k <= 9; k++) ticks.AddMinor(e + Math.Log10(k));
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimits(left, 0, 0, 1.02);
        plot.ShowLegend(Alignment.LowerRight);
        PlotFont.Apply(plot);
        AtomicFile.Write(path, temp => plot.SavePng(temp, width, height));
    }
}
