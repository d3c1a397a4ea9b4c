using System.Text;
using SkiaSharp;

namespace MarginFace.Tests.Evaluation;

/// <summary>
/// Writes InsightFace-style <c>.bin</c> verification sets as pickle bytes, opcode by opcode, independently of the reader:
/// Python 2's protocol 2 (images as byte strings, flags as bools) and Python 3's protocol 4 with a FRAME, bytes and the
/// flags as a NumPy bool array (<c>_reconstruct</c> + <c>BUILD</c>, the globals by <c>STACK_GLOBAL</c>, every object memoised).
/// </summary>
internal static class VerificationBinPickles
{
    /// <summary>Six images for a set of three pairs: five distinct JPEGs and a 3-byte "image" (SHORT_BINSTRING / SHORT_BINBYTES).</summary>
    public static readonly byte[][] SampleImages =
    [
        Jpeg(new SKColor(255, 0, 0)), Jpeg(new SKColor(250, 10, 0)), Jpeg(new SKColor(0, 0, 255)), Jpeg(new SKColor(0, 255, 0)),
        [1, 2, 3],
        Jpeg(new SKColor(0, 128, 128)),
    ];

    /// <summary>A <paramref name="size"/>² JPEG of a horizontal gradient in <paramref name="colour"/>, different for each colour.</summary>
    public static byte[] Jpeg(SKColor colour, int size = 112)
    {
        using var bitmap = new SKBitmap(size, size);
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(colour.Red * x / size), (byte)(colour.Green * y / size), colour.Blue));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    /// <summary><c>pickle.dump((bins, issame_list), f, protocol=2)</c> as Python 2 writes it.</summary>
    public static byte[] Protocol2(IReadOnlyList<byte[]> images, IReadOnlyList<bool> same)
    {
        var p = new MemoryStream();
        p.Write([0x80, 2]);
        var memo = 0;
        p.WriteByte((byte)']');
        Put(p, ref memo);
        p.WriteByte((byte)'(');
        foreach (var image in images)
        {
            if (image.Length < 256)
            {
                p.Write([(byte)'U', (byte)image.Length]);
            }
            else
            {
                p.WriteByte((byte)'T');
                p.Write(BitConverter.GetBytes(image.Length));
            }
            p.Write(image);
            Put(p, ref memo);
        }
        p.WriteByte((byte)'e');
        p.WriteByte((byte)']');
        Put(p, ref memo);
        p.WriteByte((byte)'(');
        foreach (var flag in same) p.WriteByte(flag ? (byte)0x88 : (byte)0x89);
        p.WriteByte((byte)'e');
        p.WriteByte(0x86); // TUPLE2
        Put(p, ref memo);
        p.WriteByte((byte)'.');
        return p.ToArray();
    }

    /// <summary><c>pickle.dump((bins, np.array(issame_list)), f, protocol=4)</c> as Python 3 with NumPy 1 writes it (NumPy 2: <paramref name="numpyCore"/> = <c>numpy._core</c>).</summary>
    public static byte[] Protocol4(IReadOnlyList<byte[]> images, IReadOnlyList<bool> same, string numpyCore = "numpy.core")
    {
        var body = new MemoryStream();
        body.WriteByte((byte)']');
        Memoize(body);
        body.WriteByte((byte)'(');
        foreach (var image in images)
        {
            if (image.Length < 256)
            {
                body.Write([(byte)'C', (byte)image.Length]);
            }
            else
            {
                body.WriteByte((byte)'B');
                body.Write(BitConverter.GetBytes(image.Length));
            }
            body.Write(image);
            Memoize(body);
        }
        body.WriteByte((byte)'e');
        Global(body, $"{numpyCore}.multiarray", "_reconstruct");
        Global(body, "numpy", "ndarray");
        body.Write([(byte)'K', 0, 0x85]); // (0,)
        Memoize(body);
        body.Write([(byte)'C', 1, (byte)'b']);
        Memoize(body);
        body.WriteByte(0x87); // TUPLE3
        Memoize(body);
        body.WriteByte((byte)'R');
        Memoize(body);
        body.WriteByte((byte)'(');
        body.Write([(byte)'K', 1]); // version
        body.Write([(byte)'M', (byte)same.Count, (byte)(same.Count >> 8), 0x85]); // shape (N,)
        Memoize(body);
        Global(body, "numpy", "dtype");
        Unicode(body, "b1");
        body.Write([0x89, 0x88, 0x87]); // ('b1', False, True)
        Memoize(body);
        body.WriteByte((byte)'R');
        Memoize(body);
        body.WriteByte((byte)'(');
        body.Write([(byte)'K', 3]);
        Unicode(body, "|");
        body.Write("NNN"u8);
        body.Write([(byte)'J', 0xff, 0xff, 0xff, 0xff, (byte)'J', 0xff, 0xff, 0xff, 0xff, (byte)'K', 0, (byte)'t']);
        Memoize(body);
        body.WriteByte((byte)'b'); // BUILD dtype
        body.WriteByte(0x89); // is_fortran
        body.Write([(byte)'C', (byte)same.Count]);
        foreach (var flag in same) body.WriteByte(flag ? (byte)1 : (byte)0);
        Memoize(body);
        body.WriteByte((byte)'t');
        Memoize(body);
        body.WriteByte((byte)'b'); // BUILD ndarray
        body.WriteByte(0x86); // TUPLE2
        Memoize(body);
        body.WriteByte((byte)'.');
        var p = new MemoryStream();
        p.Write([0x80, 4, 0x95]);
        p.Write(BitConverter.GetBytes(body.Length));
        body.WriteTo(p);
        return p.ToArray();
    }

    private static void Put(Stream p, ref int memo)
    {
        p.Write([(byte)'q', (byte)memo]);
        memo++;
    }

    private static void Memoize(Stream p) => p.WriteByte(0x94);

    private static void Unicode(Stream p, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        p.Write([0x8c, (byte)bytes.Length]);
        p.Write(bytes);
        Memoize(p);
    }

    private static void Global(Stream p, string module, string name)
    {
        Unicode(p, module);
        Unicode(p, name);
        p.WriteByte(0x93); // STACK_GLOBAL
        Memoize(p);
    }
}
