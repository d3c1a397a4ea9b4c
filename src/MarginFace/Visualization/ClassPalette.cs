namespace MarginFace.Visualization;

/// <summary>
/// The one colour per class shared by every plot, animation and report: the Category10 palette of D3/matplotlib
/// (the same colours as ScottPlot's <c>Palettes.Category10</c>), repeating after ten classes.
/// </summary>
internal static class ClassPalette
{
    private static readonly uint[] Category10 =
    [
        0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD,
        0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF,
    ];

    /// <summary>Number of distinct colours before the palette repeats.</summary>
    public static int Count => Category10.Length;

    /// <summary>Colour of class <paramref name="classIndex"/> (≥ 0) as 0xRRGGBB.</summary>
    public static uint Rgb(int classIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(classIndex);
        return Category10[classIndex % Category10.Length];
    }

    /// <summary>Colour of class <paramref name="classIndex"/> as a ScottPlot colour.</summary>
    public static ScottPlot.Color Get(int classIndex) => ScottPlot.Color.FromARGB(0xFF000000u | Rgb(classIndex));

    /// <summary>Colour of class <paramref name="classIndex"/> as a CSS hex string, <c>#rrggbb</c>.</summary>
    public static string Hex(int classIndex) => $"#{Rgb(classIndex):x6}";
}
