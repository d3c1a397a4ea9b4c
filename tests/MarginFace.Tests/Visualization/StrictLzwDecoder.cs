namespace MarginFace.Tests.Visualization;

/// <summary>
/// GIF LZW decoder written from the spec for tests: reads the code-size byte and sub-blocks, widens the code after the table reaches
/// 2^width entries, and fails on anything irregular (a code beyond the table, running out of bits before the end code, data after it).
/// </summary>
internal static class StrictLzwDecoder
{
    public static byte[] Decode(byte[] encoded)
    {
        int minimumCodeSize = encoded[0];
        var data = new List<byte>();
        int position = 1;
        while (true)
        {
            int length = encoded[position++];
            if (length == 0) break;
            data.AddRange(encoded.AsSpan(position, length).ToArray());
            position += length;
        }
        if (position != encoded.Length) throw new InvalidDataException("bytes after the block terminator");

        int clear = 1 << minimumCodeSize, end = clear + 1;
        var table = new List<byte[]>();
        void Reset()
        {
            table.Clear();
            for (int i = 0; i < clear; i++) table.Add([(byte)i]);
            table.Add([]);
            table.Add([]);
        }

        Reset();
        int width = minimumCodeSize + 1;
        long bitPosition = 0;
        byte[]? previous = null;
        var output = new List<byte>();
        while (true)
        {
            if (bitPosition + width > data.Count * 8L) throw new InvalidDataException($"ran out of data before the end code at bit {bitPosition}");
            int code = 0;
            for (int b = 0; b < width; b++, bitPosition++)
                if ((data[(int)(bitPosition / 8)] >> (int)(bitPosition % 8) & 1) != 0) code |= 1 << b;

            if (code == clear)
            {
                Reset();
                width = minimumCodeSize + 1;
                previous = null;
                continue;
            }
            if (code == end) break;
            byte[] entry;
            if (code < table.Count && code != clear && code != end) entry = table[code];
            else if (code == table.Count && previous is not null) entry = [.. previous, previous[0]];
            else throw new InvalidDataException($"code {code} beyond a table of {table.Count}");
            output.AddRange(entry);
            if (previous is not null && table.Count < 4096)
            {
                table.Add([.. previous, entry[0]]);
                if (table.Count == 1 << width && width < 12) width++;
            }
            previous = entry;
        }
        if (data.Count * 8L - bitPosition >= 8) throw new InvalidDataException("whole bytes left after the end code");
        return [.. output];
    }
}
