using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MarginFace.Tests.Interop;

/// <summary>
/// <c>torch.save</c> archives made in code, without PyTorch: pickles written opcode by opcode and zipped as torch.save lays
/// them out (<c>archive/data.pkl</c>, <c>archive/data/KEY</c>, <c>archive/version</c>), valid ones for fuzzing and hostile ones.
/// </summary>
internal static class TorchSaveFiles
{
    /// <summary>Concatenates pickle parts: strings as Latin-1, byte arrays as they are, ints as one byte.</summary>
    public static byte[] Pickle(params object[] parts) =>
        [.. parts.SelectMany(part => part switch
        {
            string text => Encoding.Latin1.GetBytes(text),
            byte[] bytes => bytes,
            int single => [(byte)single],
            _ => throw new ArgumentException("part"),
        })];

    /// <summary>BINUNICODE of <paramref name="text"/>.</summary>
    public static byte[] Unicode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return [(byte)'X', .. Int32(bytes.Length), .. bytes];
    }

    /// <summary>BININT of <paramref name="value"/>.</summary>
    public static byte[] BinInt(int value) => [(byte)'J', .. Int32(value)];

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    /// <summary>
    /// The pickle of an OrderedDict mapping each name to a 1-D float32 tensor viewing all of storage <c>KEY</c> (the index)
    /// of <c>elements</c> elements, as <c>torch.save(state_dict)</c> writes it (protocol 2, memoised globals).
    /// </summary>
    public static byte[] StateDictPickle(params (string Name, int Elements)[] tensors)
    {
        var parts = new List<object>
        {
            0x80, 2, "ccollections\nOrderedDict\nq\u0000)R",
        };
        for (var i = 0; i < tensors.Length; i++)
        {
            var (name, elements) = tensors[i];
            parts.AddRange([
                Unicode(name), "ctorch._utils\n_rebuild_tensor_v2\n(", "(", Unicode("storage"), "ctorch\nFloatStorage\n", Unicode(i.ToString()), Unicode("cpu"),
                BinInt(elements), "tQ", "K\u0000", BinInt(elements), 0x85, "K\u0001", 0x85, 0x89, "h\u0000)R", "tR", "s",
            ]);
        }
        parts.Add(".");
        return Pickle([.. parts]);
    }

    /// <summary>A valid archive: tensors 'w' (6 floats) and 'b' (3 floats) with known values.</summary>
    public static void WriteSmallStateDict(string path)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Add(zip, "archive/data.pkl", StateDictPickle(("w", 6), ("b", 3)));
        Add(zip, "archive/byteorder", "little"u8.ToArray());
        Add(zip, "archive/data/0", Floats(1.5f, -2f, 3.25f, 0f, 7f, -0.5f));
        Add(zip, "archive/data/1", Floats(0.25f, 4f, -1f));
        Add(zip, "archive/version", "3\n"u8.ToArray());
    }

    private static void Add(ZipArchive zip, string name, byte[] data)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        stream.Write(data);
    }

    private static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    /// <summary>
    /// A zip whose storages <c>archive/data/0..count-1</c> each inflate to <paramref name="gibibytes"/> GiB of zeros, honestly
    /// (valid deflate, right CRC), from about 1 MB each: the deflate of 16 MiB of zeros up to a sync flush, repeated, then an
    /// empty final block. The zip is written by hand because ZipArchive would have to compress the gigabytes itself.
    /// </summary>
    public static void WriteZerosArchive(string path, byte[] pickle, int count)
    {
        const int chunk = 16 << 20;
        const long inflated = 1L << 30;
        const uint zerosCrc = 0x5b64c2b0; // CRC-32 of 2^30 zero bytes (zlib.crc32(bytes(2**30)))
        byte[] flushed;
        using (var memory = new MemoryStream())
        {
            using (var deflate = new DeflateStream(memory, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                deflate.Write(new byte[chunk]);
                deflate.Flush();
                flushed = memory.ToArray();
            }
        }
        var zeros = new byte[flushed.Length * (inflated / chunk) + 2];
        for (var i = 0; i < inflated / chunk; i++) flushed.CopyTo(zeros, i * flushed.Length);
        zeros[^2] = 0x03; // final fixed-Huffman block holding only end-of-block
        zeros[^1] = 0x00;

        var entries = new List<(string Name, byte[] Data, bool Deflated, long Length, uint Crc)>
        {
            ("archive/data.pkl", pickle, false, pickle.Length, Crc32(pickle)),
        };
        for (var i = 0; i < count; i++) entries.Add(($"archive/data/{i}", zeros, true, inflated, zerosCrc));
        entries.Add(("archive/version", "3\n"u8.ToArray(), false, 2, Crc32("3\n"u8.ToArray())));

        using var file = File.Create(path);
        using var writer = new BinaryWriter(file);
        var offsets = new List<long>();
        foreach (var (name, data, deflated, length, crc) in entries)
        {
            offsets.Add(file.Position);
            writer.Write(0x04034b50u);
            WriteCommon(writer, name, data, deflated, length, crc);
            writer.Write(Encoding.ASCII.GetBytes(name));
            writer.Write(data);
        }
        var directory = file.Position;
        for (var i = 0; i < entries.Count; i++)
        {
            var (name, data, deflated, length, crc) = entries[i];
            writer.Write(0x02014b50u);
            writer.Write((ushort)20); // version made by
            WriteCommon(writer, name, data, deflated, length, crc);
            writer.Write((ushort)0); // comment length
            writer.Write((ushort)0); // disk number
            writer.Write((ushort)0); // internal attributes
            writer.Write(0u); // external attributes
            writer.Write((uint)offsets[i]);
            writer.Write(Encoding.ASCII.GetBytes(name));
        }
        var end = file.Position;
        writer.Write(0x06054b50u);
        writer.Write((ushort)0);
        writer.Write((ushort)0);
        writer.Write((ushort)entries.Count);
        writer.Write((ushort)entries.Count);
        writer.Write((uint)(end - directory));
        writer.Write((uint)directory);
        writer.Write((ushort)0);
    }

    private static void WriteCommon(BinaryWriter writer, string name, byte[] data, bool deflated, long length, uint crc)
    {
        writer.Write((ushort)20); // version needed
        writer.Write((ushort)0); // flags
        writer.Write((ushort)(deflated ? 8 : 0));
        writer.Write((ushort)0); // time
        writer.Write((ushort)0x21); // date: 1980-01-01
        writer.Write(crc);
        writer.Write((uint)data.Length);
        writer.Write((uint)length);
        writer.Write((ushort)name.Length);
        writer.Write((ushort)0); // extra length
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xffffffffu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }
}
