using System.Text;

namespace MarginFace.Imaging;

/// <summary>
/// Netpbm greymap reader: binary (P5) and ASCII (P2) PGM with a maximum value up to 65535 (16-bit samples are big-endian
/// and scaled to 0..255), comments after '#'. The header is validated before the pixel buffer is allocated.
/// </summary>
internal static class PgmReader
{
    /// <summary>The parsed header: size, maximum sample value, and where the pixel data starts.</summary>
    public readonly record struct Header(bool Binary, int Width, int Height, int MaxValue, int DataOffset);

    /// <summary>True when the bytes start with the P5 or P2 magic.</summary>
    public static bool LooksLikePgm(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 2 && bytes[0] == (byte)'P' && (bytes[1] == (byte)'5' || bytes[1] == (byte)'2');

    public static Header ReadHeader(byte[] bytes, string name)
    {
        if (!LooksLikePgm(bytes)) throw new MarginFaceException($"{name}: not a PGM file (no P5/P2 magic)");
        var position = 2;
        var width = ReadNumber(bytes, ref position, name, "width");
        var height = ReadNumber(bytes, ref position, name, "height");
        var maxValue = ReadNumber(bytes, ref position, name, "maximum value");
        if (maxValue is < 1 or > 65535) throw new MarginFaceException($"{name}: PGM maximum value {maxValue} is outside 1..65535");
        if (position >= bytes.Length || !char.IsWhiteSpace((char)bytes[position]))
            throw new MarginFaceException($"{name}: PGM header ends without the whitespace before the pixels");
        return new Header(bytes[1] == (byte)'5', width, height, maxValue, position + 1);
    }

    public static RgbImage Read(byte[] bytes, string name, long maxPixels = ImageFile.MaxPixels)
    {
        var header = ReadHeader(bytes, name);
        ImageFile.CheckSize(header.Width, header.Height, name, maxPixels);
        var count = (long)header.Width * header.Height;
        var pixels = new byte[count];
        if (header.Binary)
        {
            var sampleBytes = header.MaxValue > 255 ? 2 : 1;
            if (bytes.LongLength - header.DataOffset < count * sampleBytes)
                throw new MarginFaceException($"{name}: truncated PGM ({bytes.LongLength - header.DataOffset} bytes of pixels, {count * sampleBytes} expected)");
            for (long i = 0; i < count; i++)
            {
                var at = header.DataOffset + i * sampleBytes;
                int value = sampleBytes == 1 ? bytes[at] : bytes[at] << 8 | bytes[at + 1];
                pixels[i] = Scale(value, header.MaxValue, name);
            }
        }
        else
        {
            var position = header.DataOffset;
            for (long i = 0; i < count; i++)
            {
                if (!TrySkipToToken(bytes, ref position))
                    throw new MarginFaceException($"{name}: truncated PGM ({i} of {count} samples)");
                pixels[i] = Scale(ReadNumber(bytes, ref position, name, "sample"), header.MaxValue, name);
            }
        }
        return new RgbImage(header.Width, header.Height, 1, pixels);
    }

    private static byte Scale(int value, int maxValue, string name)
    {
        if (value > maxValue) throw new MarginFaceException($"{name}: PGM sample {value} exceeds the maximum value {maxValue}");
        return maxValue == 255 ? (byte)value : (byte)Math.Round(value * 255.0 / maxValue);
    }

    private static bool TrySkipToToken(byte[] bytes, ref int position)
    {
        while (position < bytes.Length)
        {
            if (bytes[position] == (byte)'#')
                while (position < bytes.Length && bytes[position] != (byte)'\n') position++;
            else if (char.IsWhiteSpace((char)bytes[position])) position++;
            else return true;
        }
        return false;
    }

    private static int ReadNumber(byte[] bytes, ref int position, string name, string what)
    {
        if (!TrySkipToToken(bytes, ref position)) throw new MarginFaceException($"{name}: PGM header ends before the {what}");
        long value = 0;
        var start = position;
        while (position < bytes.Length && bytes[position] is >= (byte)'0' and <= (byte)'9')
        {
            value = value * 10 + (bytes[position] - '0');
            if (value > int.MaxValue) throw new MarginFaceException($"{name}: PGM {what} is too large");
            position++;
        }
        if (position == start)
            throw new MarginFaceException($"{name}: PGM {what} is not a number ('{Token(bytes, start)}')");
        return (int)value;
    }

    /// <summary>Up to 8 bytes of the token at <paramref name="start"/>, as printable ASCII ('?' for any other byte), so the error stays one line.</summary>
    private static string Token(byte[] bytes, int start)
    {
        var token = new StringBuilder();
        for (int i = start; i < bytes.Length && token.Length < 8 && !char.IsWhiteSpace((char)bytes[i]); i++)
            token.Append(bytes[i] is >= 0x21 and <= 0x7E ? (char)bytes[i] : '?');
        return token.ToString();
    }
}
