using ScottPlot;

namespace MarginFace.Visualization;

/// <summary>
/// The sans-serif font family used for all text in MarginFace's plots: the first installed of a few common sans families, else ScottPlot's
/// own pick (which, on a machine with only DejaVu fonts, is the first family found, often DejaVu Serif). On a machine with no font at
/// all, where every text would be left out, DejaVu Sans from <see cref="FallbackFontCache"/> (fetched once from npm); when that cannot
/// be had, one warning on standard error and plots without text.
/// </summary>
internal static class PlotFont
{
    private static readonly string[] Preferred = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Noto Sans", "Open Sans"];

    private static readonly Lazy<string> Resolved = new(() => Preferred.FirstOrDefault(IsInstalled) ?? Fallback() ?? Fonts.Sans);

    public static string Family => Resolved.Value;

    /// <summary>
    /// The cached regular face, held for the process: ScottPlot's <c>Font.Set</c> keeps the typeface it looked up as the
    /// default for later labels after disposing it, which only a system font survives.
    /// </summary>
    private static SkiaSharp.SKTypeface? fallbackTypeface;

    /// <summary>DejaVu Sans from the cache, registered with ScottPlot, when the machine has no font family; otherwise null.</summary>
    private static string? Fallback()
    {
        // Without fonts Skia still lists one family, with an empty name and a typeface of no glyphs.
        if (SkiaSharp.SKFontManager.Default.GetFontFamilies().Any(family => !string.IsNullOrWhiteSpace(family))) return null;
        return UseCachedFont(new FallbackFontCache(), error => Console.Error.WriteLine($"warning: plots: this machine has no fonts and {error}; text is left out of the plots"));
    }

    /// <summary>Registers the cache's DejaVu Sans with ScottPlot, fetching it first if need be; its family name, or null after reporting why not.</summary>
    internal static string? UseCachedFont(FallbackFontCache cache, Action<string> warn)
    {
        try
        {
            cache.EnsureAvailable();
        }
        catch (MarginFaceException e)
        {
            warn(e.Message);
            return null;
        }
        Fonts.AddFontFile(FallbackFontCache.Family, cache.RegularPath, bold: false, italic: false);
        Fonts.AddFontFile(FallbackFontCache.Family, cache.BoldPath, bold: true, italic: false);
        fallbackTypeface = SkiaSharp.SKTypeface.FromFile(cache.RegularPath);
        return FallbackFontCache.Family;
    }

    private static bool IsInstalled(string family) =>
        string.Equals(Fonts.GetTypeface(family, bold: false, italic: false)?.FamilyName, family, StringComparison.OrdinalIgnoreCase);

    /// <summary>Sets every text element of <paramref name="plot"/> (axes, title, legend, text labels) to <see cref="Family"/>; call it last.</summary>
    public static void Apply(Plot plot)
    {
        plot.Font.Set(Family);
        if (fallbackTypeface is not null)
        {
            Fonts.DefaultFontStyle = fallbackTypeface;
            plot.Axes.Title.Label.Font = fallbackTypeface;
            foreach (var axis in plot.Axes.GetAxes())
            {
                axis.Label.Font = fallbackTypeface;
                axis.TickLabelStyle.Font = fallbackTypeface;
            }
        }
        plot.Legend.FontName = Family;
        foreach (var text in plot.GetPlottables<ScottPlot.Plottables.Text>()) text.LabelFontName = Family;
    }
}
