using ScottPlot;
using SkiaSharp;
using MarginFace.Runtime;

namespace MarginFace.Visualization;

/// <summary>
/// One PNG made of a title band, a grid of ScottPlot panels and an optional class legend strip, drawn with SkiaSharp:
/// how the multi-panel plots share one title and one legend instead of repeating them per panel.
/// </summary>
internal sealed class CompositeImage : IDisposable
{
    private const float TitleBandHeight = 44;
    private const float LegendBandHeight = 40;

    private readonly SKSurface surface;
    private readonly int width;
    private readonly int height;
    private readonly float top;
    private readonly float bottom;

    public CompositeImage(int width, int height, string title, IReadOnlyList<string>? legendClassNames = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        this.width = width;
        this.height = height;
        surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {width}×{height} surface");
        surface.Canvas.Clear(SKColors.White);
        top = TitleBandHeight;
        DrawTitle(title);
        bottom = height;
        if (legendClassNames is { Count: > 0 })
        {
            bottom = height - LegendBandHeight;
            DrawLegend(legendClassNames);
        }
    }

    /// <summary>Renders <paramref name="plot"/> into cell (<paramref name="row"/>, <paramref name="column"/>) of a rows×columns grid below the title.</summary>
    public void Render(Plot plot, int row, int column, int rows, int columns)
    {
        // Plot.Render clears the whole canvas it is given, so each panel is drawn on its own surface and then copied into place.
        float cellWidth = (float)width / columns;
        float cellHeight = (bottom - top) / rows;
        int left = (int)MathF.Round(column * cellWidth), right = (int)MathF.Round((column + 1) * cellWidth);
        int upper = (int)MathF.Round(top + row * cellHeight), lower = (int)MathF.Round(top + (row + 1) * cellHeight);
        using var panel = SKSurface.Create(new SKImageInfo(right - left, lower - upper, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException("SkiaSharp could not create a panel surface");
        plot.Render(panel);
        using var snapshot = panel.Snapshot();
        surface.Canvas.DrawImage(snapshot, left, upper);
    }

    /// <summary>Encodes the image as PNG and writes it atomically to <paramref name="path"/>.</summary>
    public void SavePng(string path)
    {
        surface.Canvas.Flush();
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, temp =>
        {
            using var stream = File.Create(temp);
            data.SaveTo(stream);
        });
    }

    public void Dispose() => surface.Dispose();

    private void DrawTitle(string title)
    {
        using var font = new SKFont(Fonts.GetTypeface(PlotFont.Family, bold: true, italic: false), 20);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        surface.Canvas.DrawText(title, width / 2f, TitleBandHeight - 14, SKTextAlign.Center, font, paint);
    }

    private void DrawLegend(IReadOnlyList<string> classNames)
    {
        using var font = new SKFont(Fonts.GetTypeface(PlotFont.Family, bold: false, italic: false), 15);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        const float radius = 6, gap = 6, spacing = 22;
        var widths = classNames.Select(name => radius * 2 + gap + font.MeasureText(name, text)).ToArray();
        float total = widths.Sum() + spacing * (classNames.Count - 1);
        float x = Math.Max(8, (width - total) / 2);
        float y = height - LegendBandHeight / 2;
        for (int c = 0; c < classNames.Count; c++)
        {
            using var dot = new SKPaint { Color = new SKColor(0xFF000000u | ClassPalette.Rgb(c)), IsAntialias = true };
            surface.Canvas.DrawCircle(x + radius, y, radius, dot);
            surface.Canvas.DrawText(classNames[c], x + radius * 2 + gap, y + 5, SKTextAlign.Left, font, text);
            x += widths[c] + spacing;
        }
    }
}
