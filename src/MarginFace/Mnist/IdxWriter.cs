using System.Buffers.Binary;

namespace MarginFace.Mnist;

/// <summary>Writes uncompressed unsigned-byte IDX files in the layout <see cref="IdxReader"/> reads.</summary>
internal static class IdxWriter
{
    /// <summary>Writes <paramref name="count"/> row-major <paramref name="rows"/>×<paramref name="columns"/> images.</summary>
    public static void WriteImages(Stream output, ReadOnlySpan<byte> pixels, int count, int rows = IdxReader.ImageSide, int columns = IdxReader.ImageSide)
    {
        if (pixels.Length != (long)count * rows * columns)
            throw new ArgumentException($"expected {(long)count * rows * columns} pixels for {count} images of {rows}×{columns}, got {pixels.Length}", nameof(pixels));
        WriteHeader(output, IdxReader.ImagesMagic, count, rows, columns);
        output.Write(pixels);
    }

    /// <summary>Writes a 1-D label file.</summary>
    public static void WriteLabels(Stream output, ReadOnlySpan<byte> labels)
    {
        WriteHeader(output, IdxReader.LabelsMagic, labels.Length);
        output.Write(labels);
    }

    public static void WriteImages(string path, ReadOnlySpan<byte> pixels, int count, int rows = IdxReader.ImageSide, int columns = IdxReader.ImageSide)
    {
        using var file = File.Create(path);
        WriteImages(file, pixels, count, rows, columns);
    }

    public static void WriteLabels(string path, ReadOnlySpan<byte> labels)
    {
        using var file = File.Create(path);
        WriteLabels(file, labels);
    }

    private static void WriteHeader(Stream output, int magic, params int[] dimensions)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, magic);
        output.Write(word);
        foreach (var size in dimensions)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, size);
            output.Write(word);
        }
    }
}
