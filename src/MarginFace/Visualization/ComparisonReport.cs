using System.Globalization;
using System.Text;
using MarginFace.Runtime;

namespace MarginFace.Visualization;

/// <summary>
/// The side-by-side comparison of several losses: <c>report.html</c>, self-contained (every image embedded as a base64 data URI, so the
/// file can be mailed or archived alone), and <c>report.md</c> with the same table and relative image links.
/// </summary>
internal static class ComparisonReport
{
    public const string HtmlFileName = "report.html";
    public const string MarkdownFileName = "report.md";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly string[] Columns =
        ["Loss", "Test accuracy", "Mean intra-class angle", "Min inter-class angle", "Epochs", "Wall time", "Images/s", "Training"];

    /// <summary>
    /// Writes <see cref="HtmlFileName"/> and <see cref="MarkdownFileName"/> into <paramref name="directory"/> (created if needed).
    /// An image file that does not exist is reported in place of the picture rather than failing the whole report.
    /// </summary>
    public static void Write(string directory, IReadOnlyList<ReportEntry> entries, string title)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(title);
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, HtmlFileName), Html(entries, title));
        AtomicFile.WriteAllText(Path.Combine(directory, MarkdownFileName), Markdown(directory, entries, title));
    }

    private static string[] Cells(ReportEntry entry) =>
    [
        entry.Loss,
        double.IsFinite(entry.TestAccuracy) ? (entry.TestAccuracy * 100).ToString("0.00", Invariant) + " %" : "–",
        Degrees(entry.MeanIntraClassAngle),
        Degrees(entry.MinInterClassAngle),
        entry.Epochs.ToString(Invariant),
        double.IsFinite(entry.WallSeconds) ? entry.WallSeconds.ToString("0.0", Invariant) + " s" : "–",
        double.IsFinite(entry.ImagesPerSecond) ? entry.ImagesPerSecond.ToString("N0", Invariant) : "–",
        string.IsNullOrWhiteSpace(entry.Training) ? "–" : entry.Training.ReplaceLineEndings(" "),
    ];

    /// <summary>The loss name and the training description are text; the other columns are numbers (right-aligned).</summary>
    private static bool IsText(int column) => column == 0 || column == Columns.Length - 1;

    private static string Degrees(double value) => double.IsFinite(value) ? value.ToString("0.0", Invariant) + "°" : "–";

    private static string Caption(ReportEntry entry, string picture) =>
        double.IsFinite(entry.TestAccuracy)
            ? $"{entry.Loss}: {picture}, test accuracy {(entry.TestAccuracy * 100).ToString("0.00", Invariant)} %"
            : $"{entry.Loss}: {picture}";

    private static IEnumerable<(string Path, string Caption)> Images(ReportEntry entry)
    {
        yield return (entry.FeaturePlotPath, Caption(entry, "features"));
        if (!string.IsNullOrEmpty(entry.NormalizedPlotPath)) yield return (entry.NormalizedPlotPath, Caption(entry, "normalised features"));
    }

    private static string Html(IReadOnlyList<ReportEntry> entries, string title)
    {
        static string E(string text) => Escape(text);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\">");
        html.AppendLine("<head>");
        html.AppendLine("<meta charset=\"utf-8\">");
        html.AppendLine($"<title>{E(title)}</title>");
        html.AppendLine("""
            <style>
            body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin-bottom: 2em; }
            th, td { border: 1px solid #ccc; padding: 0.4em 0.8em; }
            th { background: #f3f3f3; }
            td.number { text-align: right; font-variant-numeric: tabular-nums; }
            .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 1.5em; }
            figure { margin: 0; }
            figure img { width: 100%; height: auto; border: 1px solid #ddd; }
            figcaption { text-align: center; margin-top: 0.3em; }
            .missing { padding: 3em 1em; border: 1px dashed #c00; color: #c00; text-align: center; }
            </style>
            """);
        html.AppendLine("</head>");
        html.AppendLine("<body>");
        html.AppendLine($"<h1>{E(title)}</h1>");
        html.AppendLine("<table>");
        html.AppendLine("<thead><tr>" + string.Concat(Columns.Select(c => $"<th>{E(c)}</th>")) + "</tr></thead>");
        html.AppendLine("<tbody>");
        foreach (var entry in entries)
        {
            var cells = Cells(entry);
            html.AppendLine("<tr>" + string.Concat(cells.Select((c, i) => IsText(i) ? $"<td>{E(c)}</td>" : $"<td class=\"number\">{E(c)}</td>")) + "</tr>");
        }
        html.AppendLine("</tbody>");
        html.AppendLine("</table>");
        html.AppendLine("<h2>Feature plots</h2>");
        html.AppendLine("<div class=\"grid\">");
        foreach (var entry in entries)
            foreach (var (path, caption) in Images(entry))
            {
                html.AppendLine("<figure>");
                if (File.Exists(path))
                    html.AppendLine($"<img src=\"data:{MimeType(path)};base64,{Convert.ToBase64String(File.ReadAllBytes(path))}\" alt=\"{E(caption)}\">");
                else
                    html.AppendLine($"<div class=\"missing\">image not found: {E(path)}</div>");
                html.AppendLine($"<figcaption>{E(caption)}</figcaption>");
                html.AppendLine("</figure>");
            }
        html.AppendLine("</div>");
        html.AppendLine("</body>");
        html.AppendLine("</html>");
        return html.ToString();
    }

    private static string Markdown(string directory, IReadOnlyList<ReportEntry> entries, string title)
    {
        static string Cell(string text) => text.Replace("\\", "\\\\").Replace("|", "\\|").ReplaceLineEndings(" ");
        var md = new StringBuilder();
        md.AppendLine($"# {title.ReplaceLineEndings(" ")}");
        md.AppendLine();
        md.AppendLine("| " + string.Join(" | ", Columns) + " |");
        md.AppendLine("|" + string.Concat(Columns.Select((_, i) => IsText(i) ? " --- |" : " ---: |")));
        foreach (var entry in entries)
            md.AppendLine("| " + string.Join(" | ", Cells(entry).Select(Cell)) + " |");
        md.AppendLine();
        md.AppendLine("## Feature plots");
        foreach (var entry in entries)
        {
            md.AppendLine();
            md.AppendLine($"### {entry.Loss.ReplaceLineEndings(" ")}");
            foreach (var (path, caption) in Images(entry))
            {
                md.AppendLine();
                var alt = caption.Replace("[", "\\[").Replace("]", "\\]").ReplaceLineEndings(" ");
                md.AppendLine(File.Exists(path) ? $"![{alt}]({RelativeUrl(directory, path)})" : $"*image not found: {alt}*");
            }
        }
        return md.ToString();
    }

    /// <summary>Escapes the five HTML-significant characters; everything else stays as UTF-8 text (WebUtility would turn "°" into "&amp;#176;").</summary>
    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        return escaped.ToString();
    }

    /// <summary>Path of <paramref name="path"/> relative to <paramref name="directory"/>, with '/' separators and each segment URL-escaped.</summary>
    private static string RelativeUrl(string directory, string path)
    {
        var relative = Path.GetRelativePath(Path.GetFullPath(directory), Path.GetFullPath(path));
        return string.Join('/', relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Select(Uri.EscapeDataString));
    }

    private static string MimeType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".gif" => "image/gif",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".webp" => "image/webp",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
