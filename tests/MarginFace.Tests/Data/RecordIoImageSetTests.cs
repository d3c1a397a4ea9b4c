using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Losses.Mining;
using MarginFace.Models;

namespace MarginFace.Tests.Data;

/// <summary>
/// A packed RecordIO folder streams through <see cref="ImageFolderBatchSource"/> exactly as the identity folder it was packed
/// from: the same batches of pixels and labels, with augmentation, several workers, the crop cache and P×K; labels come from the
/// identity records or, without them, from every image's header; a label that disagrees with its identity record is reported.
/// </summary>
public class RecordIoImageSetTests : TorchTest
{
    private readonly TempDirectory _dir = new();
    private readonly string _folder;
    private readonly string _rec;

    public RecordIoImageSetTests()
    {
        _folder = FaceFolder.Write(_dir, identities: 6, images: 5, size: 32);
        _rec = _dir.Combine("rec");
        RecordIoWriter.Pack(IdentityFolderDataset.Scan(_folder), _rec);
    }

    public override void Dispose()
    {
        _dir.Dispose();
        base.Dispose();
    }

    private static readonly FacePreprocessing Input = new(FaceCrop.Center(28), 24, 24, false, PixelNormalization.Symmetric);

    private static List<(float[] Images, long[] Labels)> ReadAll(IFaceImageSet images, ImageFolderBatchOptions options, int epoch = 1)
    {
        var source = new ImageFolderBatchSource(images, Input, new FaceAugmentation(Flip: true, ResizeTo: 30, Brightness: 0.2, Contrast: 0.1), options);
        var batches = new List<(float[], long[])>();
        foreach (var batch in source.Read(epoch, 0))
            using (batch)
                batches.Add((batch.Images.data<float>().ToArray(), batch.Labels.data<long>().ToArray()));
        return batches;
    }

    private static void AssertSame(List<(float[] Images, long[] Labels)> expected, List<(float[] Images, long[] Labels)> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Labels, actual[i].Labels);
            Assert.True(expected[i].Images.AsSpan().SequenceEqual(actual[i].Images), $"batch {i}: the pixels differ");
        }
    }

    [Fact]
    public void APackedFolderGivesTheFoldersBatchesPixelForPixel()
    {
        var folder = IdentityFolderDataset.Scan(_folder);
        using var rec = RecordIoImageSet.Open(_rec);
        Assert.Equal(folder.Count, rec.Count);
        Assert.Equal(["0", "1", "2", "3", "4", "5"], rec.Identities);
        Assert.Equal(Enumerable.Range(0, folder.Count).Select(folder.Label), Enumerable.Range(0, rec.Count).Select(rec.Label));
        Assert.Equal($"{rec.Records.RecPath}: record 1", rec.Name(0));

        foreach (var epoch in new[] { 1, 2 })
        {
            var expected = ReadAll(folder, new ImageFolderBatchOptions(7, Seed: 3, Workers: 1), epoch);
            Assert.Equal(4, expected.Count);
            AssertSame(expected, ReadAll(rec, new ImageFolderBatchOptions(7, Seed: 3, Workers: 2), epoch));
            AssertSame(expected, ReadAll(rec, new ImageFolderBatchOptions(7, Seed: 3, Workers: 1) { Crops = new FaceCropCache() }, epoch));
        }
        var pk = PkBatchPlan.Parse("3,2");
        AssertSame(ReadAll(folder, new ImageFolderBatchOptions(6, Seed: 5) { Pk = pk }), ReadAll(rec, new ImageFolderBatchOptions(6, Seed: 5, Workers: 2) { Pk = pk }));
    }

    [Fact]
    public void WithoutIdentityRecordsTheLabelsComeFromEveryImagesHeader()
    {
        // Records 0..N−1 are the images themselves (flag 0: no header record), labels out of order.
        int[] labels = [2, 0, 1, 0, 2, 1];
        var bytes = Enumerable.Range(0, labels.Length).Select(i => File.ReadAllBytes(Path.Combine(_folder, FaceFolder.Identity(i), "0000.png"))).ToArray();
        var folder = _dir.Combine("flat");
        Directory.CreateDirectory(folder);
        using (var rec = File.Create(Path.Combine(folder, "train.rec")))
        using (var index = new StreamWriter(Path.Combine(folder, "train.idx")))
        {
            for (int i = 0; i < labels.Length; i++)
            {
                index.Write($"{i}\t{rec.Position}\n");
                RecordIoFormat.WriteRecord(rec, RecordIoFormat.PackPayload(new RecordIoHeader(0, labels[i], (ulong)i, 0, []), bytes[i]));
            }
        }
        using var set = RecordIoImageSet.Open(folder);
        Assert.Equal(labels, Enumerable.Range(0, set.Count).Select(set.Label));
        Assert.Equal(3, set.Identities.Count);
        Assert.Equal($"{Path.Combine(folder, "train.rec")}: record 4", set.Name(4));
        var image = set.Read(4);
        Assert.Equal((32, 32), (image.Width, image.Height));
    }

    [Fact]
    public void AnImageWhoseLabelDisagreesWithItsIdentityRecordIsReportedAndReplaced()
    {
        // Image record 3 (label 0) rewritten in place with label 5: same length, so the index still fits.
        var recPath = Path.Combine(_rec, "train.rec");
        {
            var offset = long.Parse(File.ReadAllLines(Path.Combine(_rec, "train.idx"))[3].Split('\t')[1]);
            using var file = File.OpenWrite(recPath);
            file.Position = offset + 8 + 4;
            file.Write(BitConverter.GetBytes(5f));
        }
        var warnings = new List<string>();
        using var rec = RecordIoImageSet.Open(_rec);
        var error = Assert.Throws<MarginFaceException>(() => rec.Read(2));
        Assert.Equal($"{recPath}: record 3: label 5, but its identity record (label 0) lists it", error.Message);
        var batches = ReadAll(rec, new ImageFolderBatchOptions(6, Seed: 1, Workers: 2) { MaxBadFraction = 0.1, Warning = (name, problem) => { lock (warnings) warnings.Add($"{name}: {problem}"); } });
        Assert.Equal(5, batches.Count);
        Assert.Equal([$"{recPath}: record 3: label 5, but its identity record (label 0) lists it"], warnings);
    }

    [Fact]
    public void IdentityRangesThatMissImagesOrAPropertyThatDisagreesAreOneLineErrors()
    {
        File.WriteAllText(Path.Combine(_rec, "property"), "7,32,32\n");
        var property = Assert.Throws<MarginFaceException>(() => RecordIoImageSet.Open(_rec));
        Assert.Equal($"{Path.Combine(_rec, "property")}: says 7 classes, {Path.Combine(_rec, "train.rec")} holds 6", property.Message);

        // Labels 0,0,1,1,…: identity 1's range starts after a gap when identity 0 keeps only its first image.
        var gap = _dir.Combine("gap");
        RecordIoWriter.Write(gap, [0, 0, 1, 1], i => File.ReadAllBytes(Path.Combine(_folder, FaceFolder.Identity(0), $"{i:D4}.png")), 32, 32);
        var recPath = Path.Combine(gap, "train.rec");
        var lines = File.ReadAllLines(Path.Combine(gap, "train.idx"));
        var offset = long.Parse(lines[5].Split('\t')[1]);
        using (var file = File.OpenWrite(recPath))
        {
            file.Position = offset + 8 + 28;
            file.Write(BitConverter.GetBytes(2f)); // identity 0: [1, 2) instead of [1, 3)
        }
        var error = Assert.Throws<MarginFaceException>(() => RecordIoImageSet.Open(gap));
        Assert.Equal($"{recPath}: identity record 6 starts at image record 3, not 2: the identity ranges do not cover the images in order", error.Message);
    }

    [Fact]
    public void AHeaderScanRefusesALabelThatIsNoClassNumberAndAFolderOfOneIdentity()
    {
        foreach (var (labels, expected) in new (float[], string)[]
        {
            ([0, float.NaN, 1], "record 1: label NaN is not a class number"),
            ([0, -1, 1], "record 1: label -1 is not a class number"),
            ([0, 1.5f, 1], "record 1: label 1.5 is not a class number"),
            ([0, 0, 0], "only one identity; training needs at least two"),
        })
        {
            var folder = _dir.Combine($"flat-{Guid.NewGuid():N}");
            Directory.CreateDirectory(folder);
            using (var rec = File.Create(Path.Combine(folder, "train.rec")))
            using (var index = new StreamWriter(Path.Combine(folder, "train.idx")))
            {
                for (int i = 0; i < labels.Length; i++)
                {
                    index.Write($"{i}\t{rec.Position}\n");
                    RecordIoFormat.WriteRecord(rec, RecordIoFormat.PackPayload(new RecordIoHeader(0, labels[i], (ulong)i, 0, []), [1, 2, 3]));
                }
            }
            var error = Assert.Throws<MarginFaceException>(() => RecordIoImageSet.Open(folder));
            Assert.Equal($"{Path.Combine(folder, "train.rec")}: {expected}", error.Message);
        }
    }
}
