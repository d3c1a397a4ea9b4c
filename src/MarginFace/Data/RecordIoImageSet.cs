using System.Globalization;
using MarginFace.Imaging;

namespace MarginFace.Data;

/// <summary>
/// The images of an InsightFace RecordIO folder (<see cref="RecordIoDataset"/>) as a training set. Labels are known before
/// training (the P×K plan needs them): from the identity records when record 0 has them and every record number is exact in
/// float32 (below 2^24, where MXNet's float labels are whole numbers), each image's own label then checked when it is decoded;
/// otherwise from every image record's header, read once (36 bytes each). Identities are named by their label ("0", "1", …):
/// the format keeps no names. <c>property</c>'s class count, when present, must agree.
/// </summary>
public sealed class RecordIoImageSet : IFaceImageSet, IDisposable
{
    /// <summary>2^24: float32 holds every whole number up to here, and not all above.</summary>
    private const int ExactFloat = 1 << 24;

    private readonly RecordIoDataset _rec;
    private readonly int[] _labels;
    private readonly bool _checkLabels;

    private RecordIoImageSet(RecordIoDataset rec, int[] labels, int classes, bool checkLabels)
    {
        _rec = rec;
        _labels = labels;
        _checkLabels = checkLabels;
        Identities = Enumerable.Range(0, classes).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>The RecordIO files read.</summary>
    public RecordIoDataset Records => _rec;

    /// <summary>The <c>.rec</c> file.</summary>
    public string Root => _rec.RecPath;

    /// <summary>"0" … "C−1": the label as text.</summary>
    public IReadOnlyList<string> Identities { get; }

    /// <inheritdoc/>
    public int Count => _labels.Length;

    /// <summary>True when <paramref name="folder"/> holds <c>train.rec</c> (arcface_torch's layout) rather than identity folders.</summary>
    public static bool IsRecordIoFolder(string folder) => File.Exists(Path.Combine(folder, "train.rec"));

    /// <summary>Opens <paramref name="folder"/>'s <c>train.rec</c>, <c>train.idx</c> and <c>property</c> and reads the labels.</summary>
    public static RecordIoImageSet Open(string folder)
    {
        var rec = RecordIoDataset.Open(folder);
        try
        {
            if (rec.Count == 0) throw new MarginFaceException($"{rec.RecPath}: holds no image record");
            var exact = rec.HasIdentityRanges && rec.RecordCount <= ExactFloat;
            var labels = exact ? LabelsFromRanges(rec) : Enumerable.Range(0, rec.Count).Select(rec.ReadLabelOnly).ToArray();
            var classes = exact ? rec.IdentityCount : labels.Max() + 1;
            if (rec.Property is { } property && property.Classes != classes)
                throw new MarginFaceException($"{Path.Combine(folder, "property")}: says {property.Classes} classes, {rec.RecPath} holds {classes}");
            if (classes < 2) throw new MarginFaceException($"{rec.RecPath}: only one identity; training needs at least two");
            return new RecordIoImageSet(rec, labels, classes, exact);
        }
        catch
        {
            rec.Dispose();
            throw;
        }
    }

    private static int[] LabelsFromRanges(RecordIoDataset rec)
    {
        var labels = new int[rec.Count];
        var next = 0;
        for (int k = 0; k < rec.IdentityCount; k++)
        {
            var (start, end) = rec.ReadIdentityRange(k);
            if (start != next)
                throw new MarginFaceException(
                    $"{rec.RecPath}: identity record {rec.IdentityStart + k} starts at image record {start + 1}, not {next + 1}: the identity ranges do not cover the images in order");
            Array.Fill(labels, k, start, end - start);
            next = end;
        }
        if (next != rec.Count)
            throw new MarginFaceException($"{rec.RecPath}: the identity ranges end at image record {next}, the images at {rec.Count}");
        return labels;
    }

    /// <inheritdoc/>
    public int Label(int index) => _labels[index];

    /// <summary><c>REC: record KEY</c>, as the reader's messages name it.</summary>
    public string Name(int index) => $"{_rec.RecPath}: record {index + 1 - (_rec.HasIdentityRanges ? 0 : 1)}";

    /// <summary>Image <paramref name="index"/>, decoded by <see cref="ImageFile.Decode"/>; its header's label checked against the identity ranges.</summary>
    public RgbImage Read(int index)
    {
        var (header, image) = _rec.ReadImageRecord(index);
        var name = Name(index);
        if (_checkLabels)
        {
            var label = _rec.LabelOf(header, index + 1);
            if (label != _labels[index])
                throw new MarginFaceException($"{name}: label {label}, but its identity record (label {_labels[index]}) lists it");
        }
        return ImageFile.Decode(image, name);
    }

    /// <summary>Closes the <c>.rec</c> file.</summary>
    public void Dispose() => _rec.Dispose();
}
