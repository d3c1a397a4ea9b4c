using SkiaSharp;
using MarginFace.Runtime;

namespace MarginFace.Visualization;

/// <summary>Tiles PNG images into one PNG, row by row, each scaled to the same cell size (aspect kept, centred).</summary>
internal static class ImageGrid
{
    public static void Save(string path, IReadOnlyList<string> images, int columns = 4, int cellWidth = 450, int cellHeight = 400)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (images.Count == 0) throw new ArgumentException("no images to tile", nameof(images));
        var rows = (images.Count + columns - 1) / columns;
        columns = Math.Min(columns, images.Count);
        using var surface = SKSurface.Create(new SKImageInfo(columns * cellWidth, rows * cellHeight, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException("SkiaSharp could not create the grid surface");
        surface.Canvas.Clear(SKColors.White);
        using var paint = new SKPaint { IsAntialias = true };
        for (int i = 0; i < images.Count; i++)
        {
            using var bitmap = SKBitmap.Decode(images[i]) ?? throw new MarginFaceException($"{images[i]}: not a readable image");
            var scale = Math.Min((float)cellWidth / bitmap.Width, (float)cellHeight / bitmap.Height);
            float w = bitmap.Width * scale, h = bitmap.Height * scale;
            float x = i % columns * cellWidth + (cellWidth - w) / 2, y = i / columns * cellHeight + (cellHeight - h) / 2;
            using var image = SKImage.FromBitmap(bitmap);
            surface.Canvas.DrawImage(image, SKRect.Create(x, y, w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), paint);
        }
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, temp =>
        {
            using var stream = File.Create(temp);
            data.SaveTo(stream);
        });
    }
}
