using MarginFace.Runtime;
using ScottPlot;

namespace MarginFace.Visualization;

/// <summary>Scatter plot of 2-D features, one colour per class with a legend: the picture of what a loss does to the feature space.</summary>
public static class FeatureScatterPlot
{
    /// <summary>
    /// Writes a PNG of <paramref name="features"/> (<c>[N,2]</c>, row-major) coloured by <paramref name="labels"/>.
    /// With <paramref name="normalize"/>, points are projected on the unit circle and <paramref name="classDirections"/> (if given,
    /// <c>[C,2]</c>) are drawn as rays from the origin.
    /// </summary>
    public static void Save(string path, float[] features, int[] labels, IReadOnlyList<string> classNames, string title,
        bool normalize = false, float[]? classDirections = null, int width = 900, int height = 800, int maxPointsPerClass = 2000)
    {
        if (features.Length != labels.Length * 2)
            throw new ArgumentException($"expected {labels.Length * 2} feature values for {labels.Length} points, got {features.Length}", nameof(features));
        var plot = new Plot();
        plot.Title(title);
        var palette = new ScottPlot.Palettes.Category10();
        for (int c = 0; c < classNames.Count; c++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int i = 0; i < labels.Length && xs.Count < maxPointsPerClass; i++)
            {
                if (labels[i] != c) continue;
                double x = features[2 * i], y = features[2 * i + 1];
                if (normalize)
                {
                    var norm = Math.Sqrt(x * x + y * y);
                    if (norm == 0) continue;
                    x /= norm; y /= norm;
                }
                xs.Add(x);
                ys.Add(y);
            }
            var scatter = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray(), palette.GetColor(c));
            scatter.MarkerSize = normalize ? 6 : 3;
            scatter.MarkerShape = MarkerShape.FilledCircle;
            scatter.LegendText = classNames[c];
            if (normalize && classDirections is not null)
            {
                double wx = classDirections[2 * c], wy = classDirections[2 * c + 1];
                var wn = Math.Sqrt(wx * wx + wy * wy);
                if (wn > 0)
                {
                    var ray = plot.Add.Line(0, 0, 1.15 * wx / wn, 1.15 * wy / wn);
                    ray.Color = palette.GetColor(c);
                    ray.LineWidth = 2;
                }
            }
        }
        if (normalize) plot.Axes.SquareUnits();
        plot.ShowLegend(Alignment.UpperRight);
        AtomicFile.Write(path, temp => plot.SavePng(temp, width, height));
    }
}
