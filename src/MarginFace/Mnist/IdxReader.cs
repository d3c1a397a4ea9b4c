using System.Buffers.Binary;
using System.IO.Compression;

namespace MarginFace.Mnist;

/// <summary>
/// Reads unsigned-byte IDX files, the format of LeCun's MNIST distribution (http://yann.lecun.com/exdb/mnist/):
/// a big-endian magic number (two zero bytes, element type 0x08, number of dimensions), one big-endian
/// 32-bit size per dimension, then the elements. Gzip-compressed files (magic 1F 8B) are read transparently.
/// Every problem is a <see cref="MarginFaceException"/> naming the file.
/// </summary>
internal static class IdxReader
{
    /// <summary>Magic number of a 3-D unsigned-byte IDX file (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of a 1-D unsigned-byte IDX file (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Side length of MNIST and Fashion-MNIST images.</summary>
    public const int ImageSide = 28;

    /// <summary>Reads an N×rows×columns image file; rows and columns must be 28 unless <paramref name="allowAnySize"/>.</summary>
    public static IdxImages ReadImages(string path, bool allowAnySize = false)
    {
        var (bytes, compressed) = ReadAllBytes(path);
        var dimensions = ReadHeader(path, bytes, compressed, ImagesMagic, "images");
        int rows = dimensions[1], columns = dimensions[2];
        if (!allowAnySize && (rows != ImageSide || columns != ImageSide))
            throw new MarginFaceException($"{path}: images are {rows}×{columns}, expected {ImageSide}×{ImageSide}");
        if (rows == 0 || columns == 0)
            throw new MarginFaceException($"{path}: images are {rows}×{columns}, expected non-empty images");
        var headerLength = HeaderLength(dimensions.Length);
        CheckLength(path, bytes.Length, headerLength + (long)dimensions[0] * rows * columns, compressed);
        return new IdxImages(bytes[headerLength..], dimensions[0], rows, columns);
    }

    /// <summary>Reads a 1-D label file.</summary>
    public static byte[] ReadLabels(string path)
    {
        var (bytes, compressed) = ReadAllBytes(path);
        var dimensions = ReadHeader(path, bytes, compressed, LabelsMagic, "labels");
        var headerLength = HeaderLength(dimensions.Length);
        CheckLength(path, bytes.Length, headerLength + (long)dimensions[0], compressed);
        return bytes[headerLength..];
    }

    private static int HeaderLength(int dimensionCount) => 4 + 4 * dimensionCount;

    private static (byte[] Bytes, bool Compressed) ReadAllBytes(string path)
    {
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new MarginFaceException($"{path}: file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"{path}: cannot read: {e.Message}", e);
        }
        if (raw.Length < 2 || raw[0] != 0x1F || raw[1] != 0x8B) return (raw, false);
        try
        {
            using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var decompressed = new MemoryStream();
            gzip.CopyTo(decompressed);
            return (decompressed.ToArray(), true);
        }
        catch (InvalidDataException e)
        {
            throw new MarginFaceException($"{path}: corrupt gzip data: {e.Message}", e);
        }
    }

    private static int[] ReadHeader(string path, byte[] bytes, bool compressed, int expectedMagic, string what)
    {
        var content = compressed ? " after decompression" : "";
        if (bytes.Length < 4)
            throw new MarginFaceException($"{path}: truncated: {bytes.Length} bytes{content}, too short for an IDX header");
        var magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
            throw new MarginFaceException($"{path}: wrong magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} (IDX unsigned-byte {what})");
        var dimensionCount = expectedMagic & 0xFF;
        var headerLength = HeaderLength(dimensionCount);
        if (bytes.Length < headerLength)
            throw new MarginFaceException($"{path}: truncated: {bytes.Length} bytes{content}, too short for the {headerLength}-byte IDX header");
        var dimensions = new int[dimensionCount];
        for (int i = 0; i < dimensionCount; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dimensions[i] < 0)
                throw new MarginFaceException($"{path}: dimension {i} has negative size {dimensions[i]}");
        }
        return dimensions;
    }

    private static void CheckLength(string path, long actual, long expected, bool compressed)
    {
        if (actual == expected) return;
        var content = compressed ? " after decompression" : "";
        var problem = actual < expected ? "truncated" : "trailing bytes";
        throw new MarginFaceException($"{path}: {problem}: expected {expected} bytes{content}, found {actual}");
    }
}
