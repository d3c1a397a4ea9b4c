using System.Buffers.Binary;

namespace MarginFace.Data;

/// <summary>
/// The dmlc RecordIO framing MXNet's <c>.rec</c> files use: each part is the magic 0xced7230a (uint32 LE), a uint32
/// <c>lrecord</c> whose upper 3 bits are the continuation flag (0 whole record, 1 first part, 2 middle, 3 last) and lower 29
/// bits the part's length, then the bytes, zero-padded to a multiple of 4. The writer splits a payload at every 4-aligned
/// occurrence of the magic (dropping those 4 bytes); the reader puts the magic back between parts.
/// </summary>
internal static class RecordIoFormat
{
    /// <summary>dmlc's <c>RecordIOWriter::kMagic</c>.</summary>
    public const uint Magic = 0xced7230a;

    /// <summary>Largest length one part can state: 29 bits.</summary>
    public const int MaxPartLength = (1 << 29) - 1;

    public static uint EncodeLRecord(uint cflag, uint length) => (cflag << 29) | length;

    public static (uint CFlag, int Length) DecodeLRecord(uint lrecord) => (lrecord >> 29, (int)(lrecord & MaxPartLength));

    public static long Padded(long length) => (length + 3) & ~3L;

    /// <summary>Writes <paramref name="payload"/> as one record, split as dmlc's <c>RecordIOWriter::WriteRecord</c> does.</summary>
    public static void WriteRecord(Stream stream, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPartLength) throw new MarginFaceException($"a record of {payload.Length} bytes is longer than RecordIO's 29-bit limit");
        Span<byte> head = stackalloc byte[8];
        var start = 0;
        var aligned = payload.Length & ~3;
        for (int i = 0; i < aligned; i += 4)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(payload[i..]) != Magic) continue;
            WritePart(stream, head, start == 0 ? 1u : 2u, payload[start..i]);
            start = i + 4;
        }
        WritePart(stream, head, start == 0 ? 0u : 3u, payload[start..]);
        var padding = (int)(Padded(payload.Length) - payload.Length);
        if (padding > 0) stream.Write(stackalloc byte[padding]);
    }

    private static void WritePart(Stream stream, Span<byte> head, uint cflag, ReadOnlySpan<byte> part)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(head, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(head[4..], EncodeLRecord(cflag, (uint)part.Length));
        stream.Write(head);
        stream.Write(part);
    }

    /// <summary>An image record's payload: the 24-byte IRHeader, its labels, then <paramref name="image"/>.</summary>
    public static byte[] PackPayload(RecordIoHeader header, ReadOnlySpan<byte> image)
    {
        if (header.Flag != header.Labels.Count) throw new ArgumentException("Flag must equal the number of labels.", nameof(header));
        var payload = new byte[RecordIoHeader.Size + 4 * header.Labels.Count + image.Length];
        var span = payload.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, header.Flag);
        BinaryPrimitives.WriteSingleLittleEndian(span[4..], header.Label);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], header.Id);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], header.Id2);
        for (int k = 0; k < header.Labels.Count; k++) BinaryPrimitives.WriteSingleLittleEndian(span[(RecordIoHeader.Size + 4 * k)..], header.Labels[k]);
        image.CopyTo(span[(RecordIoHeader.Size + 4 * header.Labels.Count)..]);
        return payload;
    }

    /// <summary>
    /// Splits a payload into its IRHeader and the bytes after the header's labels; <paramref name="name"/> names the record in the
    /// one-line error when the payload is shorter than its header says.
    /// </summary>
    public static (RecordIoHeader Header, int ImageOffset) ParseHeader(ReadOnlySpan<byte> payload, string name)
    {
        if (payload.Length < RecordIoHeader.Size)
            throw new MarginFaceException($"{name}: {payload.Length} bytes, shorter than the 24-byte image record header");
        var flag = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        var label = BinaryPrimitives.ReadSingleLittleEndian(payload[4..]);
        var id = BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]);
        var id2 = BinaryPrimitives.ReadUInt64LittleEndian(payload[16..]);
        if (flag > (payload.Length - RecordIoHeader.Size) / 4)
            throw new MarginFaceException($"{name}: its header declares {flag} labels, more than its {payload.Length} bytes hold");
        var labels = new float[flag];
        for (int k = 0; k < labels.Length; k++) labels[k] = BinaryPrimitives.ReadSingleLittleEndian(payload[(RecordIoHeader.Size + 4 * k)..]);
        return (new RecordIoHeader(flag, label, id, id2, labels), RecordIoHeader.Size + 4 * (int)flag);
    }
}
