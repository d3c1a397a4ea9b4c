using System.Globalization;
using System.Text;
using MarginFace.Imaging;
using MarginFace.Runtime;

namespace MarginFace.Data;

/// <summary>
/// Writes InsightFace's RecordIO layout (what <see cref="RecordIoDataset"/> and arcface_torch read): <c>train.rec</c> with
/// record 0 = header (flag 2, labels [N+1, N+1+C)), records 1..N = images (IRHeader flag 0, label = class, id = key, then the
/// encoded image), records N+1..N+C = one per identity (flag 2, labels [first image key, end key)); <c>train.idx</c> with
/// <c>key\toffset</c> lines; <c>property</c> with <c>num_classes,height,width</c>. Payloads that hold the magic are split as
/// dmlc does. Each file goes through a temporary sibling renamed into place (<c>train.rec</c>, then <c>train.idx</c>, then
/// <c>property</c>), so a folder with <c>property</c> is complete.
/// </summary>
public static class RecordIoWriter
{
    /// <summary>
    /// Writes <paramref name="labels"/>.Count images into <paramref name="folder"/>: image i has class <paramref name="labels"/>[i]
    /// and the encoded bytes <paramref name="image"/>(i) (asked for once each, in order). Labels must run 0..C−1 without gaps
    /// and never go down (each identity's images together); <paramref name="height"/>×<paramref name="width"/> go to <c>property</c>.
    /// </summary>
    public static void Write(string folder, IReadOnlyList<int> labels, Func<int, byte[]> image, int height = 112, int width = 112)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(image);
        if (labels.Count == 0) throw new ArgumentException("There must be at least one image.", nameof(labels));
        var ranges = new List<(int Start, int End)>();
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] == ranges.Count - 1) continue;
            if (labels[i] != ranges.Count)
                throw new ArgumentException($"Label {labels[i]} of image {i} breaks the order: labels must run 0, 1, … with each class's images together.", nameof(labels));
            if (ranges.Count > 0) ranges[^1] = (ranges[^1].Start, i + 1);
            ranges.Add((i + 1, 0));
        }
        ranges[^1] = (ranges[^1].Start, labels.Count + 1);
        var imageCount = labels.Count;
        var classes = ranges.Count;
        if ((long)imageCount + classes + 1 > ReadLimits.MaxRecordIoRecords)
            throw new MarginFaceException($"{folder}: {imageCount} images and {classes} identities are more records than {ReadLimits.MaxRecordIoRecords}");

        Directory.CreateDirectory(folder);
        AtomicFile.Write(Path.Combine(folder, "property"), propertyTemp =>
            AtomicFile.Write(Path.Combine(folder, "train.idx"), indexTemp =>
                AtomicFile.Write(Path.Combine(folder, "train.rec"), recTemp =>
                {
                    using (var rec = new FileStream(recTemp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                    using (var index = new StreamWriter(indexTemp, append: false, new UTF8Encoding(false)))
                    {
                        void Record(int key, RecordIoHeader header, ReadOnlySpan<byte> bytes)
                        {
                            index.Write(string.Create(CultureInfo.InvariantCulture, $"{key}\t{rec.Position}\n"));
                            RecordIoFormat.WriteRecord(rec, RecordIoFormat.PackPayload(header, bytes));
                        }
                        Record(0, new RecordIoHeader(2, 0, 0, 0, [imageCount + 1, imageCount + 1 + classes]), []);
                        for (int i = 0; i < imageCount; i++)
                        {
                            var bytes = image(i) ?? throw new ArgumentException($"The image of {i} is null.", nameof(image));
                            if (bytes.Length + RecordIoHeader.Size > ReadLimits.MaxRecordIoRecordBytes)
                                throw new MarginFaceException($"image {i}: {bytes.Length} bytes, more than a record may hold ({ReadLimits.MaxRecordIoRecordBytes >> 20} MiB)");
                            Record(i + 1, new RecordIoHeader(0, labels[i], (ulong)(i + 1), 0, []), bytes);
                        }
                        for (int k = 0; k < classes; k++)
                            Record(imageCount + 1 + k, new RecordIoHeader(2, 0, 0, 0, [ranges[k].Start, ranges[k].End]), []);
                    }
                    File.WriteAllText(propertyTemp, $"{classes},{height},{width}\n");
                })));
    }

    /// <summary>
    /// Packs an identity folder: its images' file bytes as they are (no re-encoding), in <see cref="IdentityFolderDataset.Samples"/>
    /// order, label = identity index. <c>property</c> gets the first image's size.
    /// </summary>
    public static void Pack(IdentityFolderDataset dataset, string folder)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var samples = dataset.Samples;
        var (width, height) = ImageFile.ReadSize(samples[0].Path);
        Write(folder, samples.Select(s => s.Label).ToArray(), i => ReadFile(samples[i].Path), height, width);
    }

    /// <summary>
    /// Packs an identity folder as the faces <paramref name="crop"/> cuts from its images (<c>landmarks:112</c>: detected and
    /// aligned as InsightFace's 112×112 sets), each encoded as JPEG (<see cref="JpegEncoder.DefaultQuality"/>), in the same order
    /// and labels as <see cref="Pack(IdentityFolderDataset, string)"/>; <c>property</c> gets the first face's size. Images are
    /// cropped on every core, 64 at a time. An image without a face is a one-line <see cref="MarginFaceException"/> naming it,
    /// and nothing is written.
    /// </summary>
    public static void Pack(IdentityFolderDataset dataset, string folder, FaceCrop crop)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(crop);
        var samples = dataset.Samples;
        RgbImage Face(int i)
        {
            var path = samples[i].Path;
            try
            {
                return crop.Apply(ImageFile.Read(path));
            }
            catch (MarginFaceException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
            {
                throw new MarginFaceException($"{path}: {e.Message}");
            }
        }
        var first = Face(0);
        const int Chunk = 64;
        var encoded = new byte[Chunk][];
        Write(folder, samples.Select(s => s.Label).ToArray(), i =>
        {
            if (i % Chunk == 0)
            {
                var count = Math.Min(Chunk, samples.Count - i);
                try
                {
                    Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, k => encoded[k] = JpegEncoder.Encode(Face(i + k)));
                }
                catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is MarginFaceException) is { } error)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
                }
            }
            return encoded[i % Chunk];
        }, first.Height, first.Width);
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            var length = new FileInfo(path).Length;
            if (length + RecordIoHeader.Size > ReadLimits.MaxRecordIoRecordBytes)
                throw new MarginFaceException($"{path}: {length} bytes, more than a record may hold ({ReadLimits.MaxRecordIoRecordBytes >> 20} MiB)");
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"{path}: cannot read ({e.Message.ReplaceLineEndings(" ")})");
        }
    }
}
