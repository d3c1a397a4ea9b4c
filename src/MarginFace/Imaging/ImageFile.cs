using System.Buffers;
using SkiaSharp;
using MarginFace.Runtime;

namespace MarginFace.Imaging;

/// <summary>
/// Reads image files into <see cref="RgbImage"/>: JPEG, PNG, BMP, WebP and GIF through SkiaSharp, binary and ASCII PGM
/// (P5/P2, e.g. the ORL faces) by <see cref="PgmReader"/>. The dimensions are read from the header and checked against
/// <see cref="MaxPixels"/> before any pixel is decoded, so a hostile header cannot exhaust memory, and files over
/// <see cref="MaxFileBytes"/> are not read. A JPEG whose compressed data is damaged part way (which Skia decodes into grey or smeared
/// blocks and calls a success) is unreadable too (<see cref="JpegScan"/>). Every problem is a <see cref="MarginFaceException"/> whose
/// message names the file.
/// </summary>
public static class ImageFile
{
    /// <summary>See <see cref="ReadLimits.MaxImagePixels"/>, where every reader's budget is named with its reason.</summary>
    public const long MaxPixels = ReadLimits.MaxImagePixels;

    /// <summary>See <see cref="ReadLimits.MaxImageFileBytes"/>, where every reader's budget is named with its reason.</summary>
    public const long MaxFileBytes = ReadLimits.MaxImageFileBytes;

    /// <summary>Extensions of the files <see cref="Read"/> understands (lower case, with the dot).</summary>
    public static IReadOnlySet<string> Extensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif", ".pgm" };

    /// <summary>True when the file's extension is one of <see cref="Extensions"/>.</summary>
    public static bool IsImagePath(string path) => Extensions.Contains(Path.GetExtension(path));

    /// <summary>Width and height from the header alone.</summary>
    public static (int Width, int Height) ReadSize(string path) => SizeOf(ReadBytes(path), path);

    /// <summary>Width and height from the header of an image held in memory (nothing decoded); <paramref name="name"/> is used in error messages.</summary>
    public static (int Width, int Height) SizeOf(byte[] bytes, string name)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0) throw new MarginFaceException($"{name}: empty file");
        if (PgmReader.LooksLikePgm(bytes))
        {
            var header = PgmReader.ReadHeader(bytes, name);
            return (header.Width, header.Height);
        }
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw new MarginFaceException($"{name}: not an image (unknown or corrupt format)");
        return (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>Decodes <paramref name="path"/>; grey files (PGM, grey JPEG/PNG) come back with one channel, others with three.</summary>
    public static RgbImage Read(string path, long maxPixels = MaxPixels)
    {
        var bytes = ReadBytes(path);
        return Decode(bytes, path, maxPixels);
    }

    /// <summary>Decodes an image held in memory; <paramref name="name"/> is used in error messages.</summary>
    public static RgbImage Decode(byte[] bytes, string name, long maxPixels = MaxPixels)
    {
        if (bytes.Length == 0) throw new MarginFaceException($"{name}: empty file");
        if (PgmReader.LooksLikePgm(bytes)) return PgmReader.Read(bytes, name, maxPixels);
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw new MarginFaceException($"{name}: not an image (unknown or corrupt format)");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        CheckSize(width, height, name, maxPixels);
        var grey = codec.Info.ColorType == SKColorType.Gray8;
        var info = new SKImageInfo(width, height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Unpremul);
        // Skia writes 4 bytes per colour pixel; that buffer is borrowed (a fresh one per image is a large-object allocation).
        var raw = ArrayPool<byte>.Shared.Rent(checked((int)info.BytesSize64));
        try
        {
            SKCodecResult result;
            unsafe
            {
                fixed (byte* p = raw) result = codec.GetPixels(info, (IntPtr)p);
            }
            if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
                throw new MarginFaceException($"{name}: cannot decode image ({result})");
            if (result == SKCodecResult.IncompleteInput)
                throw new MarginFaceException($"{name}: truncated image (the file ends before its last row)");
            // libjpeg only warns about damaged compressed data and Skia reports success; half the picture may be garbage.
            if (codec.EncodedFormat == SKEncodedImageFormat.Jpeg && JpegScan.FindDamage(bytes) is { } damage)
                throw new MarginFaceException($"{name}: damaged image ({damage})");
            return grey
                ? new RgbImage(width, height, 1, Compact(raw, width, height, info.RowBytes, 1))
                : new RgbImage(width, height, 3, Compact(raw, width, height, info.RowBytes, 4));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    /// <summary>Throws unless width × height is positive and at most <paramref name="maxPixels"/>.</summary>
    internal static void CheckSize(long width, long height, string name, long maxPixels)
    {
        if (width < 1 || height < 1) throw new MarginFaceException($"{name}: image has no pixels ({width}×{height})");
        if (width * height > maxPixels)
            throw new MarginFaceException($"{name}: image is {width}×{height} pixels, more than the {maxPixels / (1024 * 1024)} megapixels allowed");
    }

    private static byte[] ReadBytes(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new MarginFaceException($"{path}: file not found");
            if (info.Length == 0) throw new MarginFaceException($"{path}: empty file");
            if (info.Length > MaxFileBytes)
                throw new MarginFaceException($"{path}: file is {info.Length / (1024 * 1024)} MiB, more than the {MaxFileBytes / (1024 * 1024)} MiB an image may have");
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"{path}: cannot read ({e.Message.ReplaceLineEndings(" ")})");
        }
    }

    /// <summary>Rows of <paramref name="from"/> bytes per pixel (1, or RGBA's 4) to packed rows of 1 or 3 (RGB) bytes.</summary>
    private static byte[] Compact(byte[] raw, int width, int height, int rowBytes, int from)
    {
        var to = from == 1 ? 1 : 3;
        var pixels = new byte[(long)width * height * to];
        for (int y = 0; y < height; y++)
        {
            var source = raw.AsSpan(y * rowBytes, width * from);
            var target = pixels.AsSpan(y * width * to, width * to);
            if (from == 1)
            {
                source.CopyTo(target);
                continue;
            }
            for (int x = 0, s = 0, t = 0; x < width; x++, s += 4, t += 3)
            {
                target[t] = source[s];
                target[t + 1] = source[s + 1];
                target[t + 2] = source[s + 2];
            }
        }
        return pixels;
    }
}
