using System.Globalization;
using SkiaSharp;

namespace MarginFace.Tests.Support;

/// <summary>
/// Identity folders a network can only tell apart by learning: identity k is a fixed 4×4 layout of filled cells (its "face"),
/// drawn in every image with a fresh random background and foreground colour, a random shift, brightness jitter and pixel
/// noise. Colour and brightness therefore say nothing about who it is, so an untrained network's embeddings (which follow
/// colour) score the validation pairs near chance and only a network that learned the layouts scores them well.
/// </summary>
internal static class SyntheticIdentities
{
    /// <summary>The training folders (<c>DIR/id_KK/NNN.png</c>), the held-out validation images (<c>id_KK/id_KK_NNNN.jpg</c>) and their pairs file.</summary>
    public sealed record Layout(string Train, string ValidationImages, string ValidationPairs, int Identities, int TrainImages);

    public static string Identity(int k) => $"id_{k:D2}";

    /// <summary>
    /// Writes <paramref name="identities"/> identities of <paramref name="trainImages"/> training PNGs and
    /// <paramref name="validationImages"/> held-out JPEGs each, <paramref name="size"/> pixels square, and a pairs file (LFW
    /// format, one fold) of <paramref name="pairsPerClass"/> same-identity and as many different-identity pairs of held-out images.
    /// With <paramref name="shuffleLabels"/> the training images are dealt to the identity folders at random (each folder keeps its
    /// count): the labels then say nothing about the images. The held-out images and pairs are the same either way.
    /// </summary>
    public static Layout Write(string root, int identities = 10, int trainImages = 16, int validationImages = 6, int size = 64,
        int pairsPerClass = 100, bool shuffleLabels = false, int seed = 41)
    {
        var random = new Random(seed);
        var layouts = Layouts(identities, random);
        var train = Path.Combine(root, "train");
        var validation = Path.Combine(root, "validation");

        var trainingDraws = new List<(int Identity, int Index)>();
        for (int k = 0; k < identities; k++)
            for (int j = 0; j < trainImages; j++) trainingDraws.Add((k, j));
        var folders = trainingDraws.Select(d => d.Identity).ToArray();
        if (shuffleLabels) new Random(seed + 1).Shuffle(folders);
        var written = new int[identities];
        for (int i = 0; i < trainingDraws.Count; i++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(train, Identity(folders[i]))).FullName;
            // The image's own draw depends on (identity, index) only, so the shuffled set holds the very same images.
            var image = Render(layouts[trainingDraws[i].Identity], size, new Random(ImageSeed(seed, trainingDraws[i].Identity, trainingDraws[i].Index)));
            Save(image, Path.Combine(folder, $"{written[folders[i]]++:D3}.png"), SKEncodedImageFormat.Png);
        }

        for (int k = 0; k < identities; k++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(validation, Identity(k))).FullName;
            for (int j = 1; j <= validationImages; j++)
            {
                var image = Render(layouts[k], size, new Random(ImageSeed(seed, k, 1000 + j)));
                Save(image, Path.Combine(folder, $"{Identity(k)}_{j:D4}.jpg"), SKEncodedImageFormat.Jpeg);
            }
        }

        var pairs = Path.Combine(root, "pairs.txt");
        var lines = new List<string> { $"1\t{pairsPerClass}" };
        var same = new List<(int, int, int)>();
        for (int k = 0; k < identities; k++)
            for (int a = 1; a <= validationImages; a++)
                for (int b = a + 1; b <= validationImages; b++) same.Add((k, a, b));
        if (same.Count < pairsPerClass) throw new ArgumentException($"only {same.Count} same-identity pairs exist", nameof(pairsPerClass));
        var sameChosen = same.OrderBy(_ => random.Next()).Take(pairsPerClass).Order();
        lines.AddRange(sameChosen.Select(p => $"{Identity(p.Item1)}\t{p.Item2}\t{p.Item3}"));
        var different = new HashSet<(int, int, int, int)>();
        while (different.Count < pairsPerClass)
        {
            int k1 = random.Next(identities), k2 = random.Next(identities);
            if (k1 == k2) continue;
            if (k1 > k2) (k1, k2) = (k2, k1);
            different.Add((k1, 1 + random.Next(validationImages), k2, 1 + random.Next(validationImages)));
        }
        lines.AddRange(different.Order().Select(p => $"{Identity(p.Item1)}\t{p.Item2}\t{Identity(p.Item3)}\t{p.Item4}"));
        File.WriteAllLines(pairs, lines);
        return new Layout(train, validation, pairs, identities, trainImages);
    }

    /// <summary>The seed of one image's draw (not <see cref="HashCode"/>, which differs from process to process).</summary>
    private static int ImageSeed(int seed, int identity, int index) => unchecked(seed * 1_000_003 + identity * 10_007 + index);

    /// <summary>One 4×4 on/off layout per identity, 6 to 10 cells on, any two differing in at least 4 cells.</summary>
    private static bool[][] Layouts(int identities, Random random)
    {
        var layouts = new List<bool[]>();
        while (layouts.Count < identities)
        {
            var cells = Enumerable.Range(0, 16).Select(_ => random.Next(2) == 1).ToArray();
            var on = cells.Count(c => c);
            if (on is < 6 or > 10) continue;
            if (layouts.Any(other => other.Zip(cells).Count(p => p.First != p.Second) < 4)) continue;
            layouts.Add(cells);
        }
        return [.. layouts];
    }

    /// <summary>
    /// RGBA bytes of one image of a layout: a dark background and brighter cells, each of a random hue and level (the cells 70 to
    /// 140 grey levels above the background), shifted by up to ±size/16, brightness ×(0.75…1.25), uniform noise ±16 per channel.
    /// </summary>
    private static byte[] Render(bool[] layout, int size, Random random)
    {
        var backgroundLevel = 20 + random.Next(90);
        var background = Colour(backgroundLevel, random);
        var foreground = Colour(backgroundLevel + 70 + random.Next(71), random);
        var brightness = 0.75 + 0.5 * random.NextDouble();
        var cell = size / 5.0;
        var margin = cell / 2;
        var maxShift = size / 16;
        int dx = random.Next(-maxShift, maxShift + 1), dy = random.Next(-maxShift, maxShift + 1);
        var pixels = new byte[size * size * 4];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                var gx = (int)Math.Floor((x - dx - margin) / cell);
                var gy = (int)Math.Floor((y - dy - margin) / cell);
                var colour = gx is >= 0 and < 4 && gy is >= 0 and < 4 && layout[gy * 4 + gx] ? foreground : background;
                var at = (y * size + x) * 4;
                for (int c = 0; c < 3; c++) pixels[at + c] = (byte)Math.Clamp((int)(colour[c] * brightness) + random.Next(33) - 16, 0, 255);
                pixels[at + 3] = 255;
            }
        return pixels;
    }

    /// <summary>A colour of random hue whose mean of R, G and B is about <paramref name="level"/>.</summary>
    private static double[] Colour(int level, Random random)
    {
        var tint = new double[3];
        for (int c = 0; c < 3; c++) tint[c] = random.NextDouble() * 2 - 1;
        var mean = tint.Average();
        var spread = Math.Min(level, 255 - level) * 0.6;
        return [.. tint.Select(t => Math.Clamp(level + (t - mean) * spread, 0, 255))];
    }

    private static void Save(byte[] rgba, string path, SKEncodedImageFormat format)
    {
        var size = (int)Math.Sqrt(rgba.Length / 4);
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var data = bitmap.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>Reads the per-epoch rows of a run's metrics.json: (epoch, loss, train accuracy or NaN, validation accuracy or NaN).</summary>
    public static IReadOnlyList<(int Epoch, double Loss, double TrainAccuracy, double ValidationAccuracy)> ReadMetrics(string metricsPath)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(metricsPath));
        static double Number(System.Text.Json.JsonElement row, string name) =>
            row.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.Number ? value.GetDouble() : double.NaN;
        return [.. document.RootElement.GetProperty("epochs").EnumerateArray()
            .Select(row => (row.GetProperty("epoch").GetInt32(), Number(row, "loss"), Number(row, "trainAccuracy"), Number(row, "validationAccuracy")))];
    }

    public static string Format(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
