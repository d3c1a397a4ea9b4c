namespace MarginFace.Visualization;

/// <summary>
/// The fixed 256-colour table of <see cref="GifAnimation"/>, chosen for plots on white: white, black and 30 greys (text, axes, grid);
/// the ten <see cref="ClassPalette"/> colours, each also darkened and blended with white at 20–80 % (translucent markers, anti-aliased
/// edges); and a 5×5×5 RGB cube for anything else. Pixels map to the nearest entry by weighted RGB distance.
/// </summary>
internal sealed class GifPalette
{
    public const int Size = 256;

    private readonly int[] entries; // 0xRRGGBB
    private readonly Dictionary<int, byte> nearest = [];

    private GifPalette(List<int> colors)
    {
        if (colors.Count > Size) throw new InvalidOperationException($"{colors.Count} palette colours do not fit in {Size}");
        while (colors.Count < Size) colors.Add(0x000000);
        entries = [.. colors];
    }

    /// <summary>A new instance (each keeps its own nearest-colour cache; not thread-safe).</summary>
    public static GifPalette CreateForPlots()
    {
        var colors = new List<int>();
        void Add(int rgb)
        {
            if (!colors.Contains(rgb)) colors.Add(rgb);
        }

        Add(0xFFFFFF);
        Add(0x000000);
        for (int g = 1; g <= 30; g++)
        {
            int v = (int)Math.Round(255.0 * g / 31);
            Add(v << 16 | v << 8 | v);
        }
        for (int c = 0; c < ClassPalette.Count; c++)
        {
            int rgb = (int)ClassPalette.Rgb(c);
            Add(rgb);
            Add(Mix(rgb, 0x000000, 0.3));
            foreach (var white in new[] { 0.2, 0.4, 0.6, 0.8 }) Add(Mix(rgb, 0xFFFFFF, white));
        }
        for (int r = 0; r < 5; r++)
            for (int g = 0; g < 5; g++)
                for (int b = 0; b < 5; b++)
                    Add(r * 255 / 4 << 16 | g * 255 / 4 << 8 | b * 255 / 4);
        return new GifPalette(colors);
    }

    /// <summary>Colour of entry <paramref name="index"/> as 0xRRGGBB.</summary>
    public int this[int index] => entries[index];

    /// <summary>The colour table as it is written into the file: 256 × (R, G, B).</summary>
    public byte[] ToColorTable()
    {
        var table = new byte[Size * 3];
        for (int i = 0; i < Size; i++)
        {
            table[3 * i] = (byte)(entries[i] >> 16);
            table[3 * i + 1] = (byte)(entries[i] >> 8);
            table[3 * i + 2] = (byte)entries[i];
        }
        return table;
    }

    /// <summary>Index of the entry nearest to 0xRRGGBB <paramref name="rgb"/>.</summary>
    public byte Nearest(int rgb)
    {
        if (nearest.TryGetValue(rgb, out var cached)) return cached;
        int r = rgb >> 16 & 0xFF, g = rgb >> 8 & 0xFF, b = rgb & 0xFF;
        int best = 0;
        long bestDistance = long.MaxValue;
        for (int i = 0; i < Size; i++)
        {
            int dr = r - (entries[i] >> 16 & 0xFF), dg = g - (entries[i] >> 8 & 0xFF), db = b - (entries[i] & 0xFF);
            long distance = 2L * dr * dr + 4L * dg * dg + 3L * db * db;
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = i;
                if (distance == 0) break;
            }
        }
        nearest[rgb] = (byte)best;
        return (byte)best;
    }

    private static int Mix(int rgb, int other, double otherWeight)
    {
        int Channel(int shift) =>
            (int)Math.Round((rgb >> shift & 0xFF) * (1 - otherWeight) + (other >> shift & 0xFF) * otherWeight);
        return Channel(16) << 16 | Channel(8) << 8 | Channel(0);
    }
}
