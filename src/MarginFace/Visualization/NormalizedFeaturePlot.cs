using ScottPlot;

namespace MarginFace.Visualization;

/// <summary>
/// 2-D features projected on the unit circle (<c>x/‖x‖</c>), one colour per class, with each class's weight vector drawn as a ray
/// from the origin: the picture of an angular-margin loss (SphereFace, CosFace, ArcFace), where only directions count.
/// </summary>
internal static class NormalizedFeaturePlot
{
    /// <summary>Half-width of the radial jitter: points are drawn at radius <c>1 ± u</c>, <c>u</c> uniform in [0, this].</summary>
    public const double RadialJitter = 0.04;

    /// <summary>
    /// Writes a PNG of <paramref name="features2d"/> (<c>[N,2]</c>, row-major) coloured by <paramref name="labels"/>. Each point is drawn on the
    /// unit circle with a small deterministic radial jitter (<see cref="RadialJitter"/>, seeded, so the same inputs give the same picture and
    /// animation frames do not flicker) so that the density along the circle stays visible; the angle is exact. Zero features are skipped.
    /// <paramref name="classWeights2d"/> (<c>[C,2]</c>, optional) are drawn as rays. Axes use equal scaling.
    /// </summary>
    public static void Save(string path, float[] features2d, int[] labels, IReadOnlyList<string> classNames, float[]? classWeights2d,
        string title, int width = 900, int height = 800, int maxPointsPerClass = 2000)
    {
        ArgumentNullException.ThrowIfNull(features2d);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (features2d.Length != labels.Length * 2)
            throw new ArgumentException($"expected {labels.Length * 2} feature values for {labels.Length} points, got {features2d.Length}", nameof(features2d));
        if (classWeights2d is not null && classWeights2d.Length != classNames.Count * 2)
            throw new ArgumentException($"expected {classNames.Count * 2} weight values for {classNames.Count} classes, got {classWeights2d.Length}", nameof(classWeights2d));

        using var plot = new Plot();
        plot.Title(title, 18);
        plot.XLabel("x₁ / ‖x‖");
        plot.YLabel("x₂ / ‖x‖");

        var circle = plot.Add.Circle(0, 0, 1);
        circle.LineColor = Colors.Gray.WithAlpha(0.6);
        circle.LineWidth = 1;
        circle.FillColor = Colors.Transparent;

        var jitter = new Random(20160916);
        var perClass = new int[classNames.Count];
        var xs = new List<double>[classNames.Count];
        var ys = new List<double>[classNames.Count];
        for (int c = 0; c < classNames.Count; c++) (xs[c], ys[c]) = ([], []);
        for (int i = 0; i < labels.Length; i++)
        {
            int c = labels[i];
            if (c < 0 || c >= classNames.Count)
                throw new ArgumentException($"label {c} has no class name ({classNames.Count} classes)", nameof(labels));
            double radiusJitter = 1 + RadialJitter * (2 * jitter.NextDouble() - 1);
            if (perClass[c] >= maxPointsPerClass) continue;
            double x = features2d[2 * i], y = features2d[2 * i + 1];
            double norm = Math.Sqrt(x * x + y * y);
            if (!(norm > 0) || !double.IsFinite(norm)) continue;
            perClass[c]++;
            xs[c].Add(x / norm * radiusJitter);
            ys[c].Add(y / norm * radiusJitter);
        }

        var legend = new List<LegendItem>();
        for (int c = 0; c < classNames.Count; c++)
        {
            var color = ClassPalette.Get(c);
            plot.Add.Markers(xs[c].ToArray(), ys[c].ToArray(), MarkerShape.FilledCircle, 4, color.WithAlpha(0.45));
            legend.Add(new LegendItem { LabelText = classNames[c], MarkerShape = MarkerShape.FilledCircle, MarkerSize = 10, MarkerFillColor = color, MarkerLineColor = color });
        }

        if (classWeights2d is not null)
        {
            for (int c = 0; c < classNames.Count; c++)
            {
                double wx = classWeights2d[2 * c], wy = classWeights2d[2 * c + 1];
                double wn = Math.Sqrt(wx * wx + wy * wy);
                if (!(wn > 0) || !double.IsFinite(wn)) continue;
                var color = ClassPalette.Get(c);
                var ray = plot.Add.Line(0, 0, 1.22 * wx / wn, 1.22 * wy / wn);
                ray.Color = color.Darken(0.15);
                ray.LineWidth = 3;
                var label = plot.Add.Text(classNames[c], 1.32 * wx / wn, 1.32 * wy / wn);
                label.LabelFontColor = color.Darken(0.3);
                label.LabelFontSize = 14;
                label.LabelBold = true;
                label.LabelAlignment = Alignment.MiddleCenter;
            }
            legend.Add(new LegendItem { LabelText = "class weight W_c", LineColor = Colors.Black, LineWidth = 3 });
        }

        plot.Legend.ManualItems.AddRange(legend);
        plot.ShowLegend(Edge.Right);
        plot.Axes.SetLimits(-1.45, 1.45, -1.45, 1.45);
        plot.Axes.SquareUnits();
        PlotFont.Apply(plot);
        MarginFace.Runtime.AtomicFile.Write(path, temp => plot.SavePng(temp, width, height));
    }
}
