using SkiaSharp;

namespace MarginFace.Tests.Imaging;

/// <summary>JPEGs made in the test and damaged in the middle of their compressed data, as a bad disk or transfer would.</summary>
internal static class DamagedJpeg
{
    /// <summary>A run of zeros, noise, flipped bits, a stray end-of-image marker, a stray restart marker.</summary>
    public static readonly string[] Kinds = ["zeros", "noise", "xor", "end-marker", "restart-marker"];

    /// <summary>A textured JPEG: enough compressed data that its middle is well inside the scan.</summary>
    public static byte[] Intact(int width = 256, int height = 192, int quality = 90)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var random = new Random(7);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x ^ y), (byte)(x * 3 + random.Next(20)), (byte)(y * 2)));
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    /// <summary>Where the compressed data of the first scan starts.</summary>
    public static int ScanStart(byte[] jpeg)
    {
        for (int i = 2; i + 3 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA) return i + 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
        throw new InvalidOperationException("no scan");
    }

    /// <summary>A copy of <paramref name="jpeg"/> damaged <paramref name="how"/> (one of <see cref="Kinds"/>) halfway through its scan.</summary>
    public static byte[] Damage(byte[] jpeg, string how)
    {
        var bytes = (byte[])jpeg.Clone();
        var start = ScanStart(bytes);
        var middle = start + (bytes.Length - 2 - start) / 2;
        var random = new Random(3);
        switch (how)
        {
            case "zeros": Array.Clear(bytes, middle, 512); break;
            case "noise": for (int i = middle; i < middle + 200; i++) bytes[i] = (byte)random.Next(256); break;
            case "xor": for (int i = middle; i < middle + 256; i++) bytes[i] ^= 0x5A; break;
            case "end-marker": (bytes[middle], bytes[middle + 1]) = ((byte)0xFF, (byte)0xD9); break;
            case "restart-marker": (bytes[middle], bytes[middle + 1]) = ((byte)0xFF, (byte)0xD3); break;
            default: throw new ArgumentOutOfRangeException(nameof(how), how, null);
        }
        return bytes;
    }
}
