using ScottPlot;

namespace MarginFace.Visualization;

/// <summary>
/// The sans-serif font family used for all text in MarginFace's plots: the first installed of a few common sans families, else ScottPlot's
/// own pick (which, on a machine with only DejaVu fonts, is the first family found, often DejaVu Serif).
/// </summary>
internal static class PlotFont
{
    private static readonly string[] Preferred = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Noto Sans", "Open Sans"];

    private static readonly Lazy<string> Resolved = new(() => Preferred.FirstOrDefault(IsInstalled) ?? Fonts.Sans);

    public static string Family => Resolved.Value;

    private static bool IsInstalled(string family) =>
        string.Equals(Fonts.GetTypeface(family, bold: false, italic: false)?.FamilyName, family, StringComparison.OrdinalIgnoreCase);

    /// <summary>Sets every text element of <paramref name="plot"/> (axes, title, legend, text labels) to <see cref="Family"/>; call it last.</summary>
    public static void Apply(Plot plot)
    {
        plot.Font.Set(Family);
        plot.Legend.FontName = Family;
        foreach (var text in plot.GetPlottables<ScottPlot.Plottables.Text>()) text.LabelFontName = Family;
    }
}
