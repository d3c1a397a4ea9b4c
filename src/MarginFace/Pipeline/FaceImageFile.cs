using System.Globalization;
using SkiaSharp;
using MarginFace.Imaging;
using MarginFace.Runtime;
using MarginFace.Visualization;

namespace MarginFace.Pipeline;

/// <summary>Writes images of the pipeline as PNG (atomically): aligned crops, and photos with their detections drawn and labelled.</summary>
internal static class FaceImageFile
{
    /// <summary>Saves <paramref name="image"/> as a PNG file.</summary>
    public static void SavePng(RgbImage image, string path)
    {
        using var bitmap = ToBitmap(image);
        Save(bitmap, path);
    }

    /// <summary>
    /// Saves <paramref name="image"/> with each face's box (green) and landmarks (eyes blue, nose yellow, mouth red) drawn, and a
    /// label above each box: <paramref name="labels"/> (one per face), by default the face's number (1-based, the detector's order
    /// as <c>detect</c> prints them) and score.
    /// </summary>
    public static void SaveWithDetections(RgbImage image, IReadOnlyList<DetectedFace> faces, string path, IReadOnlyList<string>? labels = null)
    {
        if (labels is not null && labels.Count != faces.Count) throw new ArgumentException($"{labels.Count} labels for {faces.Count} faces.", nameof(labels));
        labels ??= [.. faces.Select((face, i) => string.Create(CultureInfo.InvariantCulture, $"{i + 1}  {face.Score:0.00}"))];
        using var bitmap = ToBitmap(image);
        using (var canvas = new SKCanvas(bitmap))
        {
            var thickness = Math.Max(2f, Math.Max(image.Width, image.Height) / 300f);
            using var box = new SKPaint { Color = new SKColor(0, 220, 0), Style = SKPaintStyle.Stroke, StrokeWidth = thickness, IsAntialias = true };
            SKColor[] colours = [new(40, 120, 255), new(40, 120, 255), new(255, 220, 0), new(255, 40, 40), new(255, 40, 40)];
            using var dot = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = true };
            using var font = new SKFont(ScottPlot.Fonts.GetTypeface(PlotFont.Family, bold: true, italic: false), Math.Max(11f, thickness * 6));
            using var backing = new SKPaint { Color = new SKColor(0, 110, 0), Style = SKPaintStyle.Fill };
            using var text = new SKPaint { Color = SKColors.White, IsAntialias = true };
            for (int f = 0; f < faces.Count; f++)
            {
                var face = faces[f];
                canvas.DrawRect(face.X, face.Y, face.Width, face.Height, box);
                for (int i = 0; i < face.Landmarks.Count; i++)
                {
                    dot.Color = colours[i % colours.Length];
                    canvas.DrawCircle(face.Landmarks[i].X, face.Landmarks[i].Y, thickness * 1.5f, dot);
                }
                // The label sits on a filled band above the box, or inside its top edge when the box touches the photo's top.
                var width = font.MeasureText(labels[f], text) + 2 * thickness;
                var height = font.Size * 1.25f;
                var top = face.Y - thickness / 2 - height >= 0 ? face.Y - thickness / 2 - height : face.Y + thickness / 2;
                canvas.DrawRect(face.X - thickness / 2, top, width, height, backing);
                canvas.DrawText(labels[f], face.X - thickness / 2 + thickness, top + font.Size, SKTextAlign.Left, font, text);
            }
        }
        Save(bitmap, path);
    }

    private static SKBitmap ToBitmap(RgbImage image) => JpegEncoder.ToBitmap(image);

    private static void Save(SKBitmap bitmap, string path)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, temp =>
        {
            using var stream = File.Create(temp);
            data.SaveTo(stream);
        });
    }
}
