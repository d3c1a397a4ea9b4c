using ScottPlot;
using MarginFace.Runtime;

namespace MarginFace.Visualization;

/// <summary>Scatter plot of 2-D features, one colour per class with a legend: the picture of what a loss does to the feature space.</summary>
internal static class FeatureScatterPlot
{
    /// <summary>Writes a PNG of <paramref name="features"/> (<c>[N,2]</c>, row-major) coloured by <paramref name="labels"/>.</summary>
    public static void Save(string path, float[] features, int[] labels, IReadOnlyList<string> classNames, string title,
        int width = 900, int height = 800, int maxPointsPerClass = 2000)
    {
        if (features.Length != labels.Length * 2)
            throw new ArgumentException($"expected {labels.Length * 2} feature values for {labels.Length} points, got {features.Length}", nameof(features));
        var plot = new Plot();
        plot.Title(title);
        for (int c = 0; c < classNames.Count; c++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int i = 0; i < labels.Length && xs.Count < maxPointsPerClass; i++)
            {
                if (labels[i] != c) continue;
                xs.Add(features[2 * i]);
                ys.Add(features[2 * i + 1]);
            }
            var scatter = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray(), ClassPalette.Get(c));
            scatter.MarkerSize = 3;
            scatter.MarkerShape = MarkerShape.FilledCircle;
            scatter.LegendText = classNames[c];
        }
        plot.ShowLegend(Alignment.UpperRight);
        PlotFont.Apply(plot);
        AtomicFile.Write(path, temp => plot.SavePng(temp, width, height));
    }
}
