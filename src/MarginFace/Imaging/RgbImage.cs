namespace MarginFace.Imaging;

/// <summary>
/// A decoded 8-bit image: <see cref="Channels"/> is 1 (grey) or 3 (R, G, B), and <see cref="Pixels"/> holds
/// <c>Height × Width × Channels</c> bytes in row-major HWC order.
/// </summary>
public sealed class RgbImage
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied): width × height × channels bytes in HWC order, channels 1 or 3.</summary>
    public RgbImage(int width, int height, int channels, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 or 3.");
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.LongLength != (long)width * height * channels)
            throw new ArgumentException($"pixels must hold {width}×{height}×{channels} bytes, got {pixels.LongLength}.", nameof(pixels));
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>1 (grey) or 3 (R, G, B).</summary>
    public int Channels { get; }

    /// <summary>Height × Width × Channels bytes, row-major HWC; not copied, so writes change the image.</summary>
    public byte[] Pixels { get; }

    /// <summary>The byte of channel <paramref name="c"/> at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public byte this[int x, int y, int c] => Pixels[((long)y * Width + x) * Channels + c];

    /// <summary>Three-channel copy: grey values repeated into R, G and B; the image itself when already colour.</summary>
    public RgbImage ToRgb()
    {
        if (Channels == 3) return this;
        var rgb = new byte[Pixels.LongLength * 3];
        for (long i = 0; i < Pixels.LongLength; i++)
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = Pixels[i];
        return new RgbImage(Width, Height, 3, rgb);
    }

    /// <summary>One-channel copy by ITU-R BT.601 luma, Y = 0.299 R + 0.587 G + 0.114 B (rounded); the image itself when already grey.</summary>
    public RgbImage ToGrey()
    {
        if (Channels == 1) return this;
        var grey = new byte[(long)Width * Height];
        for (long i = 0; i < grey.LongLength; i++)
            grey[i] = (byte)Math.Clamp(Math.Round(0.299 * Pixels[3 * i] + 0.587 * Pixels[3 * i + 1] + 0.114 * Pixels[3 * i + 2]), 0, 255);
        return new RgbImage(Width, Height, 1, grey);
    }
}
