using ScottPlot;

namespace MarginFace.Visualization;

/// <summary>Training curves per epoch in one PNG: the training loss in the upper panel, training (and test) accuracy in percent below.</summary>
internal static class TrainingCurvesPlot
{
    /// <summary>
    /// Writes the curves to <paramref name="path"/> (conventionally <c>curves.png</c>). Entry <c>e</c> of each list belongs to epoch <c>e+1</c>;
    /// accuracies are fractions in [0,1]. <paramref name="testAccuracy"/> may be null or shorter (e.g. evaluated only at the end).
    /// </summary>
    public static void Save(string path, IReadOnlyList<double> trainLoss, IReadOnlyList<double> trainAccuracy,
        IReadOnlyList<double>? testAccuracy, string title, int width = 900, int height = 800, IReadOnlyList<(string Name, IReadOnlyList<double> Values)>? more = null)
    {
        ArgumentNullException.ThrowIfNull(trainLoss);
        ArgumentNullException.ThrowIfNull(trainAccuracy);
        if (trainLoss.Count == 0) throw new ArgumentException("no epochs to plot", nameof(trainLoss));

        using var lossPlot = new Plot();
        lossPlot.Title("training loss");
        lossPlot.XLabel("epoch");
        lossPlot.YLabel("loss");
        AddCurve(lossPlot, trainLoss, 1, ClassPalette.Get(3), "train loss");
        lossPlot.ShowLegend(Alignment.UpperRight);
        SetEpochAxis(lossPlot, trainLoss.Count);

        using var accuracyPlot = new Plot();
        accuracyPlot.Title("accuracy");
        accuracyPlot.XLabel("epoch");
        accuracyPlot.YLabel("accuracy (%)");
        AddCurve(accuracyPlot, trainAccuracy, 100, ClassPalette.Get(0), "train accuracy");
        if (testAccuracy is { Count: > 0 }) AddCurve(accuracyPlot, testAccuracy, 100, ClassPalette.Get(1), "test accuracy");
        for (int k = 0; k < (more?.Count ?? 0); k++) AddCurve(accuracyPlot, more![k].Values, 100, ClassPalette.Get(4 + k), more[k].Name);
        accuracyPlot.ShowLegend(Alignment.LowerRight);
        SetEpochAxis(accuracyPlot, Math.Max(trainAccuracy.Count, testAccuracy?.Count ?? 0));

        PlotFont.Apply(lossPlot);
        PlotFont.Apply(accuracyPlot);
        using var image = new CompositeImage(width, height, title);
        image.Render(lossPlot, 0, 0, 2, 1);
        image.Render(accuracyPlot, 1, 0, 2, 1);
        image.SavePng(path);
    }

    private static void AddCurve(Plot plot, IReadOnlyList<double> values, double scale, Color color, string label)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (int e = 0; e < values.Count; e++)
        {
            if (!double.IsFinite(values[e])) continue;
            xs.Add(e + 1);
            ys.Add(values[e] * scale);
        }
        var scatter = plot.Add.Scatter(xs.ToArray(), ys.ToArray(), color);
        scatter.LineWidth = 2.5f;
        scatter.MarkerSize = values.Count <= 60 ? 7 : 0;
        scatter.LegendText = label;
    }

    private static void SetEpochAxis(Plot plot, int epochs)
    {
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsX(0.5, Math.Max(epochs, 1) + 0.5);
        if (epochs <= 20) plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
    }
}
