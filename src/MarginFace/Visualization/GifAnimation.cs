using System.Text;
using SkiaSharp;
using MarginFace.Runtime;

namespace MarginFace.Visualization;

/// <summary>
/// A minimal animated-GIF (GIF89a) encoder for plot frames, e.g. the feature space epoch by epoch. Every frame is a full opaque image,
/// quantised to one fixed global palette (<see cref="ClassPalette"/> colours, their tints, greys and an RGB cube; nearest colour,
/// no dithering, so the class colours stay exact) and LZW-compressed; the NETSCAPE2.0 extension makes it loop.
/// </summary>
internal static class GifAnimation
{
    /// <summary>Smallest delay written: browsers treat delays under 2/100 s as 1/10 s.</summary>
    public const int MinimumDelayMilliseconds = 20;

    /// <summary>
    /// Writes the PNG (or any SkiaSharp-decodable) images at <paramref name="framePaths"/>, which must all have the same size, as an animated GIF.
    /// Each frame shows for <paramref name="delayMilliseconds"/> (rounded to 1/100 s), the last one for <paramref name="lastFrameDelayMilliseconds"/>
    /// if given; <paramref name="loopCount"/> 0 loops forever.
    /// </summary>
    public static void Save(string path, IReadOnlyList<string> framePaths, int delayMilliseconds = 500, int loopCount = 0,
        int? lastFrameDelayMilliseconds = null)
    {
        ArgumentNullException.ThrowIfNull(framePaths);
        var frames = new List<SKBitmap>(framePaths.Count);
        try
        {
            foreach (var framePath in framePaths)
                frames.Add(SKBitmap.Decode(framePath) ?? throw new ArgumentException($"cannot decode image {framePath}", nameof(framePaths)));
            Save(path, frames, delayMilliseconds, loopCount, lastFrameDelayMilliseconds);
        }
        finally
        {
            foreach (var frame in frames) frame.Dispose();
        }
    }

    /// <summary>Writes <paramref name="frames"/> (same size) as an animated GIF; see the other overload for the timing arguments.</summary>
    public static void Save(string path, IReadOnlyList<SKBitmap> frames, int delayMilliseconds = 500, int loopCount = 0,
        int? lastFrameDelayMilliseconds = null)
    {
        var bytes = Encode(frames, delayMilliseconds, loopCount, lastFrameDelayMilliseconds);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>The GIF file for <paramref name="frames"/> as bytes.</summary>
    public static byte[] Encode(IReadOnlyList<SKBitmap> frames, int delayMilliseconds = 500, int loopCount = 0, int? lastFrameDelayMilliseconds = null)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0) throw new ArgumentException("an animation needs at least one frame", nameof(frames));
        ArgumentOutOfRangeException.ThrowIfNegative(delayMilliseconds);
        ArgumentOutOfRangeException.ThrowIfNegative(loopCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(loopCount, ushort.MaxValue);
        int width = frames[0].Width, height = frames[0].Height;
        if (width is < 1 or > ushort.MaxValue || height is < 1 or > ushort.MaxValue)
            throw new ArgumentException($"a GIF frame cannot be {width}×{height}", nameof(frames));
        for (int f = 1; f < frames.Count; f++)
            if (frames[f].Width != width || frames[f].Height != height)
                throw new ArgumentException($"frame {f} is {frames[f].Width}×{frames[f].Height}, frame 0 is {width}×{height}", nameof(frames));

        var palette = GifPalette.CreateForPlots();
        using var output = new MemoryStream();
        WriteHeader(output, width, height, palette);
        WriteLoopExtension(output, loopCount);
        var indices = new byte[width * height];
        for (int f = 0; f < frames.Count; f++)
        {
            Quantise(frames[f], palette, indices);
            bool last = f == frames.Count - 1;
            WriteGraphicControl(output, last && lastFrameDelayMilliseconds is int lastDelay ? lastDelay : delayMilliseconds);
            WriteImageDescriptor(output, width, height);
            GifLzwEncoder.Write(output, indices);
        }
        output.WriteByte(0x3B); // trailer
        return output.ToArray();
    }

    private static void WriteHeader(Stream output, int width, int height, GifPalette palette)
    {
        output.Write(Encoding.ASCII.GetBytes("GIF89a"));
        WriteUInt16(output, width);
        WriteUInt16(output, height);
        // Global colour table present, 8 bits per primary, not sorted, 2^(7+1) = 256 entries.
        output.WriteByte(0b1111_0111);
        output.WriteByte(0); // background colour index: white
        output.WriteByte(0); // no pixel aspect ratio
        output.Write(palette.ToColorTable());
    }

    private static void WriteLoopExtension(Stream output, int loopCount)
    {
        output.WriteByte(0x21);
        output.WriteByte(0xFF);
        output.WriteByte(11);
        output.Write(Encoding.ASCII.GetBytes("NETSCAPE2.0"));
        output.WriteByte(3);
        output.WriteByte(1);
        WriteUInt16(output, loopCount);
        output.WriteByte(0);
    }

    private static void WriteGraphicControl(Stream output, int delayMilliseconds)
    {
        int centiseconds = Math.Clamp((int)Math.Round(Math.Max(delayMilliseconds, MinimumDelayMilliseconds) / 10.0), 0, ushort.MaxValue);
        output.WriteByte(0x21);
        output.WriteByte(0xF9);
        output.WriteByte(4);
        output.WriteByte(0b0000_0100); // disposal 1: leave the frame in place; no user input, no transparency
        WriteUInt16(output, centiseconds);
        output.WriteByte(0); // transparent colour index (unused)
        output.WriteByte(0);
    }

    private static void WriteImageDescriptor(Stream output, int width, int height)
    {
        output.WriteByte(0x2C);
        WriteUInt16(output, 0);
        WriteUInt16(output, 0);
        WriteUInt16(output, width);
        WriteUInt16(output, height);
        output.WriteByte(0); // no local colour table, not interlaced
    }

    /// <summary>Maps each pixel (composited over white if translucent) to its nearest palette entry.</summary>
    private static void Quantise(SKBitmap frame, GifPalette palette, byte[] indices)
    {
        var info = new SKImageInfo(frame.Width, frame.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var rgba = new SKBitmap(info);
        using var source = frame.PeekPixels();
        using var target = rgba.PeekPixels();
        if (source is null || !source.ReadPixels(target))
            throw new ArgumentException($"cannot read the pixels of a {frame.ColorType} frame");
        var bytes = rgba.GetPixelSpan();
        int lastRgb = -1;
        byte lastIndex = 0;
        for (int p = 0; p < indices.Length; p++)
        {
            int r = bytes[4 * p], g = bytes[4 * p + 1], b = bytes[4 * p + 2], a = bytes[4 * p + 3];
            if (a != 255)
            {
                r = (r * a + 255 * (255 - a) + 127) / 255;
                g = (g * a + 255 * (255 - a) + 127) / 255;
                b = (b * a + 255 * (255 - a) + 127) / 255;
            }
            int rgb = r << 16 | g << 8 | b;
            if (rgb != lastRgb)
            {
                lastRgb = rgb;
                lastIndex = palette.Nearest(rgb);
            }
            indices[p] = lastIndex;
        }
    }

    private static void WriteUInt16(Stream output, int value)
    {
        output.WriteByte((byte)value);
        output.WriteByte((byte)(value >> 8));
    }
}
