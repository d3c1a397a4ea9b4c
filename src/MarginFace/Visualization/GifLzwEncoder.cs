namespace MarginFace.Visualization;

/// <summary>
/// The variable-length-code LZW compression of GIF89a image data (spec section 22 and appendix F): codes start one bit wider than the
/// minimum code size, grow up to 12 bits as the table fills, a clear code restarts the table when all 4096 codes are used, and the
/// LSB-first bit stream is cut into data sub-blocks of at most 255 bytes, ended by an empty block.
/// </summary>
internal static class GifLzwEncoder
{
    private const int MaxCodes = 4096;
    private const int MaxCodeSize = 12;

    /// <summary>Writes the LZW minimum code size byte, the sub-blocks and the block terminator for <paramref name="indices"/>.</summary>
    public static void Write(Stream output, ReadOnlySpan<byte> indices, int minimumCodeSize = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumCodeSize, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minimumCodeSize, 8);
        output.WriteByte((byte)minimumCodeSize);
        var bits = new SubBlockBitWriter(output);

        int clear = 1 << minimumCodeSize, end = clear + 1;
        int codeSize = minimumCodeSize + 1;
        int nextCode = end + 1;
        var table = new Dictionary<int, int>(MaxCodes); // (prefix code << 8 | next index) → code

        bits.Write(clear, codeSize);
        if (indices.Length > 0)
        {
            int prefix = indices[0];
            for (int i = 1; i < indices.Length; i++)
            {
                int next = indices[i];
                int key = prefix << 8 | next;
                if (table.TryGetValue(key, out var code))
                {
                    prefix = code;
                    continue;
                }
                bits.Write(prefix, codeSize);
                table[key] = nextCode++;
                // The decoder adds this entry only after reading the next code, so widen once a code no longer fits.
                if (nextCode > 1 << codeSize && codeSize < MaxCodeSize) codeSize++;
                if (nextCode == MaxCodes)
                {
                    bits.Write(clear, codeSize);
                    table.Clear();
                    codeSize = minimumCodeSize + 1;
                    nextCode = end + 1;
                }
                prefix = next;
            }
            bits.Write(prefix, codeSize);
            // Reading that last code, the decoder still adds a table entry and may widen before it reads the end code.
            if (nextCode == 1 << codeSize && codeSize < MaxCodeSize) codeSize++;
        }
        bits.Write(end, codeSize);
        bits.Flush();
        output.WriteByte(0); // block terminator
    }

    private sealed class SubBlockBitWriter(Stream output)
    {
        private readonly byte[] block = new byte[255];
        private int blockLength;
        private int buffer;
        private int bufferedBits;

        public void Write(int code, int width)
        {
            buffer |= code << bufferedBits;
            bufferedBits += width;
            while (bufferedBits >= 8)
            {
                Emit((byte)buffer);
                buffer >>= 8;
                bufferedBits -= 8;
            }
        }

        public void Flush()
        {
            if (bufferedBits > 0) Emit((byte)buffer);
            buffer = 0;
            bufferedBits = 0;
            if (blockLength > 0) WriteBlock();
        }

        private void Emit(byte value)
        {
            block[blockLength++] = value;
            if (blockLength == block.Length) WriteBlock();
        }

        private void WriteBlock()
        {
            output.WriteByte((byte)blockLength);
            output.Write(block, 0, blockLength);
            blockLength = 0;
        }
    }
}
