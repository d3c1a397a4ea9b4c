using System.Text;

namespace MarginFace.Tests.Runtime;

/// <summary>
/// Finds the parts of MarginFace's binary files (face model, checkpoint) so tests can damage one field: a
/// <see cref="BinaryWriter"/> string header (magic, version, JSON) followed by TorchSharp's module state (LEB128 count, then
/// per tensor: name, LEB128 element type, LEB128 rank, LEB128 dimensions, raw bytes) and, in a checkpoint, optimiser states.
/// </summary>
internal sealed class TorchSharpFileLayout(byte[] bytes)
{
    public int Position { get; set; }

    public string ReadString()
    {
        var length = (int)ReadLeb128();
        var text = Encoding.UTF8.GetString(bytes, Position, length);
        Position += length;
        return text;
    }

    public long ReadLeb128()
    {
        long result = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[Position++];
            result |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return result;
        }
    }

    /// <summary>Skips magic, version and JSON; returns the JSON's start and the position after it.</summary>
    public (int JsonStart, int JsonEnd) SkipHeader()
    {
        ReadString();
        Position += 4;
        var start = Position;
        ReadString();
        return (start, Position);
    }

    /// <summary>Skips one module's state; returns the position of the first tensor's rank.</summary>
    public int SkipModule()
    {
        var count = ReadLeb128();
        var firstRank = -1;
        for (var i = 0; i < count; i++)
        {
            ReadString();
            var type = ReadLeb128();
            if (firstRank < 0) firstRank = Position;
            var elements = 1L;
            var rank = ReadLeb128();
            for (var d = 0; d < rank; d++) elements *= ReadLeb128();
            Position += (int)(elements * (type is 4 or 7 ? 8 : 4)); // Int64 and Float64 take 8 bytes, Float32 4
        }
        return firstRank;
    }

    /// <summary>Encodes <paramref name="value"/> as TorchSharp does (unsigned LEB128 of its 64 bits).</summary>
    public static byte[] Leb128(long value)
    {
        var result = new List<byte>();
        var v = (ulong)value;
        do
        {
            var low = (byte)(v & 0x7f);
            v >>= 7;
            result.Add(v == 0 ? low : (byte)(low | 0x80));
        }
        while (v != 0);
        return [.. result];
    }

    /// <summary><paramref name="bytes"/> with <paramref name="count"/> bytes at <paramref name="at"/> replaced by <paramref name="replacement"/>.</summary>
    public static byte[] Splice(byte[] bytes, int at, int count, byte[] replacement) =>
        [.. bytes[..at], .. replacement, .. bytes[(at + count)..]];
}
