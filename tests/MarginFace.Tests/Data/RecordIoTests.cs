using System.Buffers.Binary;
using MarginFace.Data;

namespace MarginFace.Tests.Data;

/// <summary>
/// MXNet RecordIO: what <see cref="RecordIoWriter"/> writes reads back the same, a payload holding the magic number is split
/// and joined, files written by a few independent lines of this test read right, and damaged files fail with one line.
/// </summary>
public class RecordIoTests
{
    private const uint Magic = 0xced7230a;

    [Fact]
    public void AnIdentityFolderReadsBackWithTheSameBytesLabelsAndOrder()
    {
        using var temp = new TempDirectory();
        var layout = SyntheticIdentities.Write(temp.Path, identities: 3, trainImages: 3, validationImages: 2, size: 32, pairsPerClass: 1);
        // One JPEG among the PNGs: the bytes are stored as they are, whatever the format.
        File.Copy(Path.Combine(layout.ValidationImages, "id_01", "id_01_0001.jpg"), Path.Combine(layout.Train, "id_01", "zz.jpg"));
        var folder = IdentityFolderDataset.Scan(layout.Train);
        var output = temp.Combine("rec");
        RecordIoWriter.Pack(folder, output);

        using var dataset = RecordIoDataset.Open(output);
        Assert.Equal(folder.Samples.Count, dataset.Count);
        Assert.Equal(3, dataset.IdentityCount);
        Assert.Equal(1 + folder.Samples.Count + 3, dataset.RecordCount);
        Assert.Equal((3, 32, 32), dataset.Property);
        Assert.Equal([folder.Samples.Count + 1f, folder.Samples.Count + 4f], dataset.Header.Labels);
        for (int i = 0; i < dataset.Count; i++)
        {
            Assert.Equal(File.ReadAllBytes(folder.Samples[i].Path), dataset.ReadImageBytes(i));
            Assert.Equal(folder.Samples[i].Label, dataset.ReadLabel(i));
        }
        for (int k = 0; k < 3; k++)
        {
            var (start, end) = dataset.ReadIdentityRange(k);
            Assert.Equal(Enumerable.Range(0, folder.Samples.Count).Where(i => folder.Samples[i].Label == k), Enumerable.Range(start, end - start));
        }
        var image = dataset.ReadImage(0);
        Assert.Equal((32, 32), (image.Width, image.Height));
        Assert.Equal(File.ReadAllText(Path.Combine(output, "train.idx")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, dataset.RecordCount);
    }

    [Fact]
    public void APayloadHoldingTheMagicIsSplitAndJoinedBack()
    {
        using var temp = new TempDirectory();
        // The payload is 24 header bytes then these: the magic at aligned payload offsets 24, 32, 36 and 44 (the end), and once
        // unaligned at 49, which dmlc does not split.
        var magic = BitConverter.GetBytes(Magic);
        byte[] image = [.. magic, 1, 2, 3, 4, .. magic, .. magic, 5, 6, 7, 8, .. magic, 9, .. magic, 10, 11];
        byte[] plain = [1, 2, 3];
        RecordIoWriter.Write(temp.Path, [0, 1], i => i == 0 ? image : plain);

        var rec = File.ReadAllBytes(temp.Combine("train.rec"));
        var flags = Parts(rec).Select(p => p.CFlag).ToList();
        // Header, then the image in five parts (1, 2, 2, 2, 3), the other image, the two identity records.
        Assert.Equal([0u, 1u, 2u, 2u, 2u, 3u, 0u, 0u, 0u], flags);
        using var dataset = RecordIoDataset.Open(temp.Path);
        Assert.Equal(image, dataset.ReadImageBytes(0));
        Assert.Equal(plain, dataset.ReadImageBytes(1));
        Assert.Equal([0, 1], new[] { dataset.ReadLabel(0), dataset.ReadLabel(1) });
    }

    [Fact]
    public void FilesWrittenByAnIndependentWriterRead()
    {
        using var temp = new TempDirectory();
        byte[] first = [0xff, 0xd8, 1, 2, 3, 4, 5, 6, 7];
        byte[] second = [0x89, (byte)'P', (byte)'N', (byte)'G', 9, 9];
        // Image 2 is written as dmlc would split it had its payload held the magic right after the header: part 1 ends at
        // the header (24 bytes), the magic is dropped, part 3 holds the rest.
        var records = new Dictionary<int, byte[][]>
        {
            [1] = [Payload(0, 0f, [], first)],
            [2] = [Payload(1, 0f, [1f], []), [.. second]],
            [3] = [Payload(2, 0f, [1f, 2f], [])],
            [4] = [Payload(2, 0f, [2f, 3f], [])],
            [0] = [Payload(2, 0f, [3f, 5f], [])],
        };
        WriteIndependently(temp.Path, records);

        using var dataset = RecordIoDataset.Open(temp.Path);
        Assert.Equal(2, dataset.Count);
        Assert.Equal(2, dataset.IdentityCount);
        Assert.Null(dataset.Property);
        Assert.Equal(first, dataset.ReadImageBytes(0));
        Assert.Equal([.. BitConverter.GetBytes(Magic), .. second], dataset.ReadImageBytes(1));
        Assert.Equal(0, dataset.ReadLabel(0));
        Assert.Equal(1, dataset.ReadLabel(1));
        Assert.Equal((0, 1), dataset.ReadIdentityRange(0));
        Assert.Equal((1, 2), dataset.ReadIdentityRange(1));
    }

    [Fact]
    public void ATruncatedRecFailsWithOneLine()
    {
        using var temp = new TempDirectory();
        RecordIoWriter.Write(temp.Path, [0, 0, 1], i => new byte[100 + i]);
        var rec = temp.Combine("train.rec");
        var index = File.ReadAllLines(temp.Combine("train.idx"));
        // Cut inside the last image record (the identity records follow it): the records after it point past the end too,
        // so the index is rewritten to hold only the records still whole and the one cut.
        var cut = long.Parse(index[3].Split('\t')[1]) + 50;
        using (var stream = new FileStream(rec, FileMode.Open)) stream.SetLength(cut);
        File.WriteAllLines(temp.Combine("train.idx"), index.Take(4));
        var error = OneLineError(() => RecordIoDataset.Open(temp.Path));
        Assert.Contains(rec, error);
        Assert.Contains("truncated", error);
    }

    [Theory]
    [InlineData("2\t123456789", "past the end")]
    [InlineData("2\t9223372036854775807", "past the end")]
    [InlineData("7\t0", "outside 0..4")]
    [InlineData("1\t0", "key 1 is listed twice")]
    [InlineData("2 0", "not 'key<TAB>offset'")]
    public void ADamagedIndexFailsWithOneLine(string line, string problem)
    {
        using var temp = new TempDirectory();
        RecordIoWriter.Write(temp.Path, [0, 1], i => new byte[10]);
        var idx = temp.Combine("train.idx");
        var lines = File.ReadAllLines(idx);
        lines[2] = line;
        File.WriteAllLines(idx, lines);
        var error = OneLineError(() => RecordIoDataset.Open(temp.Path));
        Assert.StartsWith(idx + ":", error);
        Assert.Contains(problem, error);
    }

    [Fact]
    public void ABadMagicFailsWithOneLine()
    {
        using var temp = new TempDirectory();
        RecordIoWriter.Write(temp.Path, [0, 1], i => new byte[10]);
        var rec = temp.Combine("train.rec");
        var bytes = File.ReadAllBytes(rec);
        bytes[0] ^= 0xff;
        File.WriteAllBytes(rec, bytes);
        var error = OneLineError(() => RecordIoDataset.Open(temp.Path));
        Assert.StartsWith(rec + ":", error);
        Assert.Contains("bad magic", error);
    }

    [Fact]
    public void AHeaderClaimingMoreIdentitiesThanRecordsFailsWithOneLine()
    {
        using var temp = new TempDirectory();
        WriteIndependently(temp.Path, new Dictionary<int, byte[][]>
        {
            [0] = [Payload(2, 0f, [2f, 1000f], [])],
            [1] = [Payload(0, 0f, [], [1, 2, 3])],
            [2] = [Payload(2, 0f, [1f, 2f], [])],
        });
        var error = OneLineError(() => RecordIoDataset.Open(temp.Path));
        Assert.StartsWith(temp.Combine("train.rec") + ":", error);
        Assert.Contains("998 identities", error);
    }

    [Fact]
    public void AFlagBeyondThePayloadFailsWithOneLine()
    {
        using var temp = new TempDirectory();
        WriteIndependently(temp.Path, new Dictionary<int, byte[][]>
        {
            [0] = [Payload(0, 0f, [], [1, 2, 3])],
            [1] = [[.. BitConverter.GetBytes(1_000_000u), .. new byte[20]]],
        });
        using var dataset = RecordIoDataset.Open(temp.Path);
        Assert.Equal(2, dataset.Count);
        Assert.Contains("declares 1000000 labels", OneLineError(() => dataset.ReadImageBytes(1)));
    }

    private static string OneLineError(Action action)
    {
        var error = Assert.Throws<MarginFaceException>(action).Message;
        Assert.DoesNotContain('\n', error);
        return error;
    }

    /// <summary>MXNet's IRHeader (flag, label, id, id2; 24 bytes) and <paramref name="labels"/>, then <paramref name="rest"/>.</summary>
    private static byte[] Payload(uint flag, float label, float[] labels, byte[] rest)
    {
        var bytes = new byte[24 + 4 * labels.Length + rest.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, flag);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4), label);
        for (int k = 0; k < labels.Length; k++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(24 + 4 * k), labels[k]);
        rest.CopyTo(bytes, 24 + 4 * labels.Length);
        return bytes;
    }

    /// <summary>
    /// A .rec and .idx written by hand, records in the dictionary's order: each record's parts get cflag 0 (one part) or
    /// 1, 2…, 3, a 4-byte-aligned length, and zero padding.
    /// </summary>
    private static void WriteIndependently(string folder, Dictionary<int, byte[][]> records)
    {
        using var rec = new BinaryWriter(File.Create(Path.Combine(folder, "train.rec")));
        var index = new List<string>();
        foreach (var (key, parts) in records)
        {
            index.Add($"{key}\t{rec.BaseStream.Position}");
            for (int p = 0; p < parts.Length; p++)
            {
                uint cflag = parts.Length == 1 ? 0u : p == 0 ? 1u : p == parts.Length - 1 ? 3u : 2u;
                rec.Write(Magic);
                rec.Write((cflag << 29) | (uint)parts[p].Length);
                rec.Write(parts[p]);
                rec.Write(new byte[(4 - parts[p].Length % 4) % 4]);
            }
        }
        File.WriteAllLines(Path.Combine(folder, "train.idx"), index);
    }

    private static IEnumerable<(uint CFlag, int Length)> Parts(byte[] rec)
    {
        for (int at = 0; at < rec.Length;)
        {
            Assert.Equal(Magic, BinaryPrimitives.ReadUInt32LittleEndian(rec.AsSpan(at)));
            var lrecord = BinaryPrimitives.ReadUInt32LittleEndian(rec.AsSpan(at + 4));
            var length = (int)(lrecord & ((1u << 29) - 1));
            yield return (lrecord >> 29, length);
            at += 8 + (length + 3) / 4 * 4;
        }
    }

    [Fact]
    public void AFirstIdentityKeyRoundedByFloat32IsFoundAmongItsNeighbours()
    {
        // Glint360K-sized: 17,091,657 images, so the first identity record is key 17,091,658 — even, exact in float32 — or, one
        // image more, 17,091,659, which float32 stores as 17,091,660. The records say where the identities start.
        const int firstIdentity = 17_091_659;
        var stored = (float)firstIdentity;
        Assert.Equal(17_091_660f, stored);
        var reach = (long)(MathF.BitIncrement(stored) - stored);
        Assert.Equal(firstIdentity, RecordIoDataset.FindBoundary((long)stored, reach, 17_200_000, k => k >= firstIdentity));
        Assert.Null(RecordIoDataset.FindBoundary((long)stored, reach, 17_200_000, k => k >= firstIdentity + 10));
        Assert.Null(RecordIoDataset.FindBoundary((long)stored, reach, 17_200_000, _ => false));
    }
}
