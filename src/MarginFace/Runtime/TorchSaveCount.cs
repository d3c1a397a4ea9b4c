namespace MarginFace.Runtime;

/// <summary>
/// The counts of TorchSharp's save format (tensor counts, dtypes, shapes): unsigned LEB128, seven bits a byte, low first.
/// One codec for every writer and reader of that format here (optimiser state, the classifier, sharded checkpoints).
/// </summary>
internal static class TorchSaveCount
{
    public static void Write(BinaryWriter writer, long value)
    {
        do
        {
            var low = (byte)(value & 0x7f);
            value >>= 7;
            writer.Write(value == 0 ? low : (byte)(low | 0x80));
        }
        while (value != 0);
    }

    /// <summary>The next count; a count of more than 64 bits is <c>WHAT: a count longer than 64 bits</c>.</summary>
    public static long Read(BinaryReader reader, string what)
    {
        long value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = reader.ReadByte();
            value |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException($"{what}: a count longer than 64 bits");
    }
}
