using SkiaSharp;
using MarginFace.Imaging;
using MarginFace.Runtime;

namespace MarginFace.Pipeline;

/// <summary>Writes images of the pipeline as PNG (atomically): aligned crops, and photos with their detections drawn.</summary>
internal static class FaceImageFile
{
    /// <summary>Saves <paramref name="image"/> as a PNG file.</summary>
    public static void SavePng(RgbImage image, string path)
    {
        using var bitmap = ToBitmap(image);
        Save(bitmap, path);
    }

    /// <summary>Saves <paramref name="image"/> with each face's box (green) and landmarks (eyes blue, nose yellow, mouth red) drawn.</summary>
    public static void SaveWithDetections(RgbImage image, IReadOnlyList<DetectedFace> faces, string path)
    {
        using var bitmap = ToBitmap(image);
        using (var canvas = new SKCanvas(bitmap))
        {
            var thickness = Math.Max(2f, Math.Max(image.Width, image.Height) / 300f);
            using var box = new SKPaint { Color = new SKColor(0, 220, 0), Style = SKPaintStyle.Stroke, StrokeWidth = thickness, IsAntialias = true };
            SKColor[] colours = [new(40, 120, 255), new(40, 120, 255), new(255, 220, 0), new(255, 40, 40), new(255, 40, 40)];
            using var dot = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = true };
            foreach (var face in faces)
            {
                canvas.DrawRect(face.X, face.Y, face.Width, face.Height, box);
                for (int i = 0; i < face.Landmarks.Count; i++)
                {
                    dot.Color = colours[i % colours.Length];
                    canvas.DrawCircle(face.Landmarks[i].X, face.Landmarks[i].Y, thickness * 1.5f, dot);
                }
            }
        }
        Save(bitmap, path);
    }

    private static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[(long)image.Width * image.Height * 4];
        var pixels = image.Pixels;
        for (long i = 0, n = (long)image.Width * image.Height; i < n; i++)
        {
            if (image.Channels == 3) (rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]) = (pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2]);
            else rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = pixels[i];
            rgba[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }

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
