namespace MarginFace.Imaging;

/// <summary>
/// Walks the compressed data of a JPEG without making pixels, to find the damage libjpeg only warns about and Skia then decodes
/// into grey or smeared blocks while reporting success: a Huffman code no table holds, a scan that ends (at a marker or the end
/// of the file) before its last block, data left over after the last block, a restart marker missing or out of order.
/// Sequential Huffman JPEGs (baseline and extended, the usual camera and web files) are walked block by block; progressive ones
/// get the restart-marker check only; arithmetic-coded, lossless and hierarchical ones are not checked.
/// </summary>
internal static class JpegScan
{
    /// <summary>Null when nothing is wrong (or the file is not one this walks), else the damage in a few words.</summary>
    public static string? FindDamage(ReadOnlySpan<byte> jpeg)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return null;
        var dc = new Huffman?[4];
        var ac = new Huffman?[4];
        Frame? frame = null;
        bool sequential = false;
        int restartInterval = 0, pos = 2;
        while (true)
        {
            while (pos < jpeg.Length && jpeg[pos] != 0xFF) pos++;
            while (pos < jpeg.Length && jpeg[pos] == 0xFF) pos++;
            if (pos >= jpeg.Length) return null;
            int marker = jpeg[pos++];
            if (marker == 0xD9) return null;
            if (marker is 0x01 or 0xD8 or (>= 0xD0 and <= 0xD7)) continue;
            if (pos + 2 > jpeg.Length) return null;
            int length = (jpeg[pos] << 8) | jpeg[pos + 1];
            if (length < 2 || pos + length > jpeg.Length) return null;
            var segment = jpeg.Slice(pos + 2, length - 2);
            pos += length;
            switch (marker)
            {
                case 0xC4:
                    if (!ReadTables(segment, dc, ac)) return "a malformed Huffman table";
                    break;
                case 0xC0 or 0xC1 or 0xC2:
                    frame = Frame.Read(segment);
                    sequential = marker != 0xC2;
                    if (frame is null) return null;
                    break;
                case 0xC3 or (>= 0xC5 and <= 0xC7) or (>= 0xC9 and <= 0xCB) or (>= 0xCD and <= 0xCF):
                    return null;
                case 0xDD:
                    restartInterval = segment.Length >= 2 ? (segment[0] << 8) | segment[1] : 0;
                    break;
                case 0xDA:
                    if (frame is null) return null;
                    var damage = sequential ? WalkScan(jpeg, ref pos, frame, segment, dc, ac, restartInterval) : SkipScan(jpeg, ref pos);
                    if (damage is not null) return damage;
                    break;
            }
        }
    }

    /// <summary>Decodes every block of one sequential scan, checking codes, block count, restart markers and the data's end.</summary>
    private static string? WalkScan(ReadOnlySpan<byte> jpeg, ref int pos, Frame frame, ReadOnlySpan<byte> header, Huffman?[] dc, Huffman?[] ac, int restartInterval)
    {
        if (header.Length < 1) return null;
        int count = header[0];
        if (count < 1 || count > 4 || header.Length < 1 + 2 * count) return null;
        var blocks = new List<(Huffman Dc, Huffman Ac, int Count)>();
        long mcus;
        if (count == 1)
        {
            var component = frame.Find(header[1]);
            if (component is null) return null;
            var (h, v) = (component.Value.H, component.Value.V);
            long wide = Ceiling(Ceiling((long)frame.Width * h, frame.MaxH), 8), high = Ceiling(Ceiling((long)frame.Height * v, frame.MaxV), 8);
            mcus = wide * high;
            if (Tables(header[2], dc, ac) is not { } tables) return "a scan uses a Huffman table that was never defined";
            blocks.Add((tables.Dc, tables.Ac, 1));
        }
        else
        {
            mcus = Ceiling(frame.Width, 8L * frame.MaxH) * Ceiling(frame.Height, 8L * frame.MaxV);
            for (int i = 0; i < count; i++)
            {
                var component = frame.Find(header[1 + 2 * i]);
                if (component is null) return null;
                if (Tables(header[2 + 2 * i], dc, ac) is not { } tables) return "a scan uses a Huffman table that was never defined";
                blocks.Add((tables.Dc, tables.Ac, component.Value.H * component.Value.V));
            }
        }

        var bits = new BitReader(jpeg, pos);
        int restart = 0;
        for (long mcu = 0; mcu < mcus; mcu++)
        {
            if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
            {
                if (!bits.Restart(0xD0 + restart % 8)) return $"restart marker {restart % 8} missing or out of order after block group {mcu} of {mcus}";
                restart++;
            }
            foreach (var (dcTable, acTable, blockCount) in blocks)
                for (int b = 0; b < blockCount; b++)
                {
                    var problem = Block(ref bits, dcTable, acTable);
                    if (problem is not null) return $"{problem} in block group {mcu + 1} of {mcus}";
                }
        }
        var extra = bits.BytesBeforeMarker();
        pos = bits.Position;
        return extra > 0 ? $"{extra} bytes of compressed data after the last block" : null;
    }

    private static string? Block(ref BitReader bits, Huffman dc, Huffman ac)
    {
        var size = dc.Decode(ref bits);
        if (size < 0) return size == -1 ? "the compressed data ends early" : "an invalid Huffman code";
        if (size > 16 || !bits.Skip(size)) return "the compressed data ends early";
        for (int k = 1; k < 64;)
        {
            var rs = ac.Decode(ref bits);
            if (rs < 0) return rs == -1 ? "the compressed data ends early" : "an invalid Huffman code";
            int run = rs >> 4, bitsOf = rs & 15;
            if (bitsOf == 0)
            {
                if (run != 15) break;
                k += 16;
                continue;
            }
            k += run;
            if (k > 63) return "coefficients past the end of a block";
            if (!bits.Skip(bitsOf)) return "the compressed data ends early";
            k++;
        }
        return null;
    }

    /// <summary>Moves past a progressive scan's data, checking only that its restart markers come in order.</summary>
    private static string? SkipScan(ReadOnlySpan<byte> jpeg, ref int pos)
    {
        int expected = 0;
        while (pos + 1 < jpeg.Length)
        {
            if (jpeg[pos] != 0xFF) { pos++; continue; }
            var next = jpeg[pos + 1];
            if (next == 0x00 || next == 0xFF) { pos++; continue; }
            if (next is >= 0xD0 and <= 0xD7)
            {
                if (next != 0xD0 + expected % 8) return $"restart marker {next - 0xD0} where {expected % 8} was due";
                expected++;
                pos += 2;
                continue;
            }
            return null;
        }
        pos = jpeg.Length;
        return null;
    }

    private static (Huffman Dc, Huffman Ac)? Tables(byte selectors, Huffman?[] dc, Huffman?[] ac)
    {
        int d = selectors >> 4, a = selectors & 15;
        if (d > 3 || a > 3 || dc[d] is not { } dcTable || ac[a] is not { } acTable) return null;
        return (dcTable, acTable);
    }

    private static bool ReadTables(ReadOnlySpan<byte> segment, Huffman?[] dc, Huffman?[] ac)
    {
        int at = 0;
        while (at < segment.Length)
        {
            if (at + 17 > segment.Length) return false;
            int kind = segment[at] >> 4, id = segment[at] & 15;
            if (kind > 1 || id > 3) return false;
            var counts = segment.Slice(at + 1, 16);
            int total = 0;
            foreach (var c in counts) total += c;
            if (total > 256 || at + 17 + total > segment.Length) return false;
            var table = Huffman.Create(counts, segment.Slice(at + 17, total));
            if (table is null) return false;
            (kind == 0 ? dc : ac)[id] = table;
            at += 17 + total;
        }
        return true;
    }

    private static long Ceiling(long a, long b) => (a + b - 1) / b;

    /// <summary>
    /// A Huffman table in the canonical form of the JPEG standard (F.2.2.3): per code length the largest code and where its values
    /// start, plus a lookup of the first <see cref="LookupBits"/> bits that decodes the usual short codes in one step.
    /// </summary>
    private sealed class Huffman
    {
        private const int LookupBits = 9;
        private readonly int[] maxCode = new int[18];
        private readonly int[] offset = new int[17];
        private readonly ushort[] lookup = new ushort[1 << LookupBits];
        private readonly byte[] values;

        private Huffman(byte[] values) => this.values = values;

        public static Huffman? Create(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
        {
            var table = new Huffman(values.ToArray());
            int code = 0, index = 0;
            for (int length = 1; length <= 16; length++)
            {
                int n = counts[length - 1];
                if (code + n > 1 << length) return null; // more codes than the length allows: not a prefix code
                table.offset[length] = index - code;
                if (length <= LookupBits)
                    for (int i = 0; i < n; i++)
                    {
                        int first = (code + i) << (LookupBits - length), span = 1 << (LookupBits - length);
                        for (int j = 0; j < span; j++) table.lookup[first + j] = (ushort)((length << 8) | values[index + i]);
                    }
                code += n;
                index += n;
                table.maxCode[length] = n > 0 ? code - 1 : -1;
                code <<= 1;
            }
            return table;
        }

        /// <summary>The next value; -1 when the data ends first, -2 for a code the table does not hold.</summary>
        public int Decode(ref BitReader bits)
        {
            var entry = lookup[bits.Peek(LookupBits)];
            if (entry != 0)
                return bits.Consume(entry >> 8) ? entry & 0xFF : -1;
            for (int length = LookupBits + 1; length <= 16; length++)
            {
                var code = bits.Peek(length);
                if (code <= maxCode[length])
                    return bits.Consume(length) ? values[offset[length] + code] : -1;
            }
            return bits.Consume(16) ? -2 : -1;
        }
    }

    /// <summary>
    /// Bits of entropy-coded data, most significant first, with 0xFF00 stuffing removed. Reads ahead into a 64-bit buffer; at a
    /// marker or the end it supplies zero bits but counts them, so consuming past the real data is seen.
    /// </summary>
    private ref struct BitReader(ReadOnlySpan<byte> data, int position)
    {
        private readonly ReadOnlySpan<byte> data = data;
        private ulong buffer;
        private int count, padding, position = position;
        private bool ended;

        /// <summary>The next <paramref name="n"/> (1..16) bits without consuming them.</summary>
        public int Peek(int n)
        {
            if (count < 32) Fill();
            return (int)(buffer >> (count - n)) & ((1 << n) - 1);
        }

        /// <summary>Consumes <paramref name="n"/> bits; false when they go past the real data.</summary>
        public bool Consume(int n)
        {
            if (count < 32) Fill();
            if (n > count - padding) return false;
            count -= n;
            return true;
        }

        public bool Skip(int n) => n == 0 || Consume(n);

        private void Fill()
        {
            while (count <= 56)
            {
                byte value = 0;
                if (!ended)
                {
                    if (position >= data.Length) ended = true;
                    else if (data[position] == 0xFF)
                    {
                        if (position + 1 < data.Length && data[position + 1] == 0x00)
                        {
                            value = 0xFF;
                            position += 2;
                        }
                        else ended = true;
                    }
                    else value = data[position++];
                }
                if (ended) padding += 8;
                buffer = (buffer << 8) | value;
                count += 8;
            }
        }

        /// <summary>Drops the bits of the current byte and gives back whole bytes read ahead, leaving the position at the next unread byte.</summary>
        private void Align()
        {
            var unread = (count - padding) / 8;
            for (int i = 0; i < unread; i++)
                position -= position >= 2 && data[position - 1] == 0x00 && data[position - 2] == 0xFF ? 2 : 1;
            buffer = 0;
            count = padding = 0;
            ended = false;
        }

        public readonly int Position => position;

        /// <summary>Drops the current byte's padding and reads the restart marker <paramref name="marker"/>.</summary>
        public bool Restart(int marker)
        {
            Align();
            while (position + 1 < data.Length && data[position] == 0xFF && data[position + 1] == 0xFF) position++;
            if (position + 1 >= data.Length || data[position] != 0xFF || data[position + 1] != marker) return false;
            position += 2;
            return true;
        }

        /// <summary>Drops the padding and counts the bytes before the next marker (none in an intact scan).</summary>
        public int BytesBeforeMarker()
        {
            Align();
            int start = position;
            while (position < data.Length)
            {
                if (data[position] == 0xFF && position + 1 < data.Length && data[position + 1] != 0x00) break;
                position += data[position] == 0xFF ? 2 : 1;
            }
            return Math.Min(position, data.Length) - start;
        }
    }

    private readonly record struct Component(int Id, int H, int V);

    private sealed class Frame(int width, int height, Component[] components)
    {
        public int Width => width;
        public int Height => height;
        public int MaxH { get; } = components.Max(c => c.H);
        public int MaxV { get; } = components.Max(c => c.V);

        public Component? Find(int id) => components.Any(c => c.Id == id) ? components.First(c => c.Id == id) : null;

        /// <summary>The frame header, or null when it is unusable here (no height yet: DNL; odd sampling factors).</summary>
        public static Frame? Read(ReadOnlySpan<byte> segment)
        {
            if (segment.Length < 6) return null;
            int height = (segment[1] << 8) | segment[2], width = (segment[3] << 8) | segment[4], count = segment[5];
            if (width == 0 || height == 0 || count < 1 || segment.Length < 6 + 3 * count) return null;
            var components = new Component[count];
            for (int i = 0; i < count; i++)
            {
                var sampling = segment[7 + 3 * i];
                components[i] = new Component(segment[6 + 3 * i], sampling >> 4, sampling & 15);
                if (components[i].H is < 1 or > 4 || components[i].V is < 1 or > 4) return null;
            }
            return new Frame(width, height, components);
        }
    }
}
