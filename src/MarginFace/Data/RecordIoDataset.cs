using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using MarginFace.Imaging;
using MarginFace.Runtime;

namespace MarginFace.Data;

/// <summary>
/// An MXNet RecordIO dataset as InsightFace packs them (<c>train.rec</c>, <c>train.idx</c>, <c>property</c>; arcface_torch's
/// layout). The <c>.idx</c> is text lines <c>key\toffset</c> giving each record's byte offset in the <c>.rec</c>; keys must be
/// 0..N−1, each once. Each record's payload is MXNet's IRHeader (<see cref="RecordIoHeader"/>) then the encoded image. When
/// record 0's header has flag &gt; 0, its labels [a, b) are InsightFace's: images are records 1..a−1 and records a..b−1 hold
/// each identity's [first, end) image records; otherwise every record is an image. <c>property</c> (optional) is
/// <c>num_classes,height,width</c>. Every length is checked against the file before anything is allocated
/// (<see cref="ReadLimits.MaxRecordIoRecordBytes"/>, <see cref="ReadLimits.MaxRecordIoRecords"/>); every problem is a
/// one-line <see cref="MarginFaceException"/> naming the file. Reads are thread-safe (positional reads of one handle).
/// </summary>
public sealed class RecordIoDataset : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly long[] _offsets;
    private readonly int _firstImage;

    private RecordIoDataset(string recPath, string indexPath, SafeFileHandle handle, long length, long[] offsets)
    {
        RecPath = recPath;
        IndexPath = indexPath;
        _handle = handle;
        RecLength = length;
        _offsets = offsets;
    }

    private RecordIoDataset(RecordIoDataset opened, RecordIoHeader header, int firstImage, int count, int identityCount, int identityStart)
        : this(opened.RecPath, opened.IndexPath, opened._handle, opened.RecLength, opened._offsets)
    {
        Header = header;
        _firstImage = firstImage;
        Count = count;
        IdentityCount = identityCount;
        IdentityStart = identityStart;
    }

    /// <summary>The <c>.rec</c> file.</summary>
    public string RecPath { get; }

    /// <summary>The <c>.idx</c> file.</summary>
    public string IndexPath { get; }

    /// <summary>Size of the <c>.rec</c> file, in bytes.</summary>
    public long RecLength { get; }

    /// <summary>Number of records the index lists (header and identity records included).</summary>
    public int RecordCount => _offsets.Length;

    /// <summary>Number of image records.</summary>
    public int Count { get; }

    /// <summary>Number of identity records (InsightFace's layout); 0 when record 0 holds no identity ranges.</summary>
    public int IdentityCount { get; }

    /// <summary>Key of the first identity record (record 0's first label); 0 when there are none.</summary>
    public int IdentityStart { get; }

    /// <summary>True when record 0 is InsightFace's header record (flag &gt; 0 with the identity ranges).</summary>
    public bool HasIdentityRanges => IdentityStart > 0;

    /// <summary>Record 0's header.</summary>
    public RecordIoHeader Header { get; } = new(0, 0, 0, 0, []);

    /// <summary><c>property</c>'s <c>num_classes,height,width</c>, or null when the folder has none.</summary>
    public (int Classes, int Height, int Width)? Property { get; private init; }

    /// <summary>Opens <c>train.rec</c>, <c>train.idx</c> and (if present) <c>property</c> of <paramref name="folder"/>.</summary>
    public static RecordIoDataset Open(string folder)
    {
        if (!Directory.Exists(folder)) throw new MarginFaceException($"{folder}: folder not found");
        var dataset = Open(Path.Combine(folder, "train.rec"), Path.Combine(folder, "train.idx"));
        var property = Path.Combine(folder, "property");
        if (!File.Exists(property)) return dataset;
        try
        {
            return new RecordIoDataset(dataset, dataset.Header, dataset._firstImage, dataset.Count, dataset.IdentityCount, dataset.IdentityStart)
            {
                Property = ReadProperty(property),
            };
        }
        catch
        {
            dataset.Dispose();
            throw;
        }
    }

    /// <summary>Opens a <c>.rec</c> file and its <c>.idx</c>.</summary>
    public static RecordIoDataset Open(string recPath, string indexPath)
    {
        if (!File.Exists(recPath)) throw new MarginFaceException($"{recPath}: file not found");
        if (!File.Exists(indexPath)) throw new MarginFaceException($"{indexPath}: file not found");
        SafeFileHandle handle;
        long length;
        try
        {
            handle = File.OpenHandle(recPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
            length = RandomAccess.GetLength(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"{recPath}: cannot read ({e.Message.ReplaceLineEndings(" ")})");
        }
        try
        {
            var offsets = ReadIndex(indexPath, recPath, length);
            var opened = new RecordIoDataset(recPath, indexPath, handle, length, offsets);
            return opened.WithLayout();
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private RecordIoDataset WithLayout()
    {
        if (_offsets.Length == 0) throw new MarginFaceException($"{IndexPath}: lists no record");
        // The record that starts last is read whole now, so that a .rec cut short fails here and not in the middle of training.
        var last = 0;
        for (int k = 1; k < _offsets.Length; k++) if (_offsets[k] > _offsets[last]) last = k;
        ReadRecord(last);
        var (header, _) = RecordIoFormat.ParseHeader(ReadRecord(0), $"{RecPath}: record 0");
        if (header.Flag == 0 || header.Labels.Count < 2)
            return new RecordIoDataset(this, header, 0, _offsets.Length, 0, 0);
        var (a, b) = (header.Labels[0], header.Labels[1]);
        if (!IsWhole(a) || !IsWhole(b) || a < 1 || b < a)
            throw new MarginFaceException($"{RecPath}: record 0's identity range [{Show(a)}, {Show(b)}) is not a range of record keys");
        // MXNet stores these labels as float32, which holds whole numbers exactly only up to 2^24: in a larger set (Glint360K's
        // 17 M images) they are rounded to the nearest float. The true keys are recovered from the records themselves: the
        // identity records are the last ones (b = the record count) and the first of them is the first record that holds
        // labels and no image.
        if (b > _offsets.Length && !(b > 1 << 24 && b - _offsets.Length <= Ulp(b)))
            throw new MarginFaceException(
                $"{RecPath}: record 0 claims identity records {Show(a)}..{Show(b - 1)} ({Show(b - a)} identities), but {IndexPath} lists only {_offsets.Length} records");
        var end = b > 1 << 24 && Math.Abs(b - _offsets.Length) <= Ulp(b) ? _offsets.Length : (int)b;
        var first = a > 1 << 24 ? FirstIdentityRecord(a, end) : (int)a;
        return new RecordIoDataset(this, header, 1, first - 1, end - first, first);
    }

    /// <summary>The distance from <paramref name="value"/> to the next float32: how far MXNet's rounding may have moved a key.</summary>
    private static float Ulp(float value) => MathF.BitIncrement(value) - value;

    /// <summary>
    /// The key of the first identity record when record 0 gives it as <paramref name="rounded"/>, a float32 that may be off by
    /// up to one <see cref="Ulp"/>: the smallest key within that distance whose record is an identity record and whose predecessor
    /// is not. None found is a one-line error.
    /// </summary>
    private int FirstIdentityRecord(float rounded, int recordEnd)
    {
        var found = FindBoundary((long)rounded, (long)Ulp(rounded), recordEnd, IsIdentityRecord);
        return found ?? throw new MarginFaceException(
            $"{RecPath}: record 0 puts the first identity record at {Show(rounded)}, beyond float32's exact whole numbers, and no identity record follows an image within {Show(Ulp(rounded))} of it");
    }

    /// <summary>
    /// The smallest key k in [<paramref name="centre"/> − <paramref name="reach"/>, <paramref name="centre"/> + <paramref name="reach"/>]
    /// (within 1..<paramref name="end"/> − 1) where <paramref name="isIdentity"/>(k) holds and <paramref name="isIdentity"/>(k − 1) does not.
    /// </summary>
    internal static int? FindBoundary(long centre, long reach, int end, Func<int, bool> isIdentity)
    {
        for (var k = Math.Max(1, centre - reach); k <= Math.Min(end - 1, centre + reach); k++)
            if (isIdentity((int)k) && !isIdentity((int)k - 1)) return (int)k;
        return null;
    }

    /// <summary>True when record <paramref name="key"/> holds labels and no bytes after them (InsightFace's identity records).</summary>
    private bool IsIdentityRecord(int key)
    {
        var payload = ReadRecord(key);
        var (header, offset) = RecordIoFormat.ParseHeader(payload, $"{RecPath}: record {key}");
        return header.Flag > 0 && offset == payload.Length;
    }

    /// <summary>The payload of the record with key <paramref name="key"/>, its parts joined (the magic put back between them).</summary>
    public byte[] ReadRecord(int key)
    {
        if ((uint)key >= (uint)_offsets.Length) throw new ArgumentOutOfRangeException(nameof(key), key, $"Keys are 0..{_offsets.Length - 1}.");
        var start = _offsets[key];
        var parts = new List<(long Position, int Length)>(1);
        Span<byte> head = stackalloc byte[8];
        long position = start, total = 0;
        uint cflag;
        do
        {
            if (position + 8 > RecLength)
                throw new MarginFaceException($"{RecPath}: truncated: record {key} (byte {start}) goes on past the end of the file ({RecLength} bytes)");
            Read(head, position);
            var magic = BinaryPrimitives.ReadUInt32LittleEndian(head);
            if (magic != RecordIoFormat.Magic)
                throw new MarginFaceException($"{RecPath}: record {key}: bad magic 0x{magic:x8} at byte {position} (expected 0x{RecordIoFormat.Magic:x8}); not a RecordIO file or a wrong index");
            (cflag, var length) = RecordIoFormat.DecodeLRecord(BinaryPrimitives.ReadUInt32LittleEndian(head[4..]));
            var first = parts.Count == 0;
            if (first ? cflag is not (0 or 1) : cflag is not (2 or 3))
                throw new MarginFaceException($"{RecPath}: record {key}: continuation flag {cflag} at byte {position} where {(first ? "a record starts (0 or 1)" : "a record goes on (2 or 3)")}");
            total += length + (first ? 0 : 4);
            if (total > ReadLimits.MaxRecordIoRecordBytes)
                throw new MarginFaceException($"{RecPath}: record {key} (byte {start}) is longer than the {ReadLimits.MaxRecordIoRecordBytes >> 20} MiB a record may hold");
            if (position + 8 + length > RecLength)
                throw new MarginFaceException($"{RecPath}: truncated: record {key} at byte {position} claims {length} bytes, the file ends {RecLength - position - 8} bytes after its header");
            parts.Add((position + 8, length));
            position += 8 + RecordIoFormat.Padded(length);
        }
        while (cflag is 1 or 2);
        var payload = new byte[total];
        var at = 0;
        foreach (var (partPosition, length) in parts)
        {
            if (at > 0)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(at), RecordIoFormat.Magic);
                at += 4;
            }
            Read(payload.AsSpan(at, length), partPosition);
            at += length;
        }
        return payload;
    }

    /// <summary>The header and the encoded image (JPEG, PNG) of image <paramref name="index"/> (0..<see cref="Count"/>−1).</summary>
    public (RecordIoHeader Header, byte[] Image) ReadImageRecord(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"Images are 0..{Count - 1}.");
        var key = _firstImage + index;
        var payload = ReadRecord(key);
        var (header, offset) = RecordIoFormat.ParseHeader(payload, $"{RecPath}: record {key}");
        return (header, payload[offset..]);
    }

    /// <summary>The encoded bytes (JPEG, PNG) of image <paramref name="index"/>.</summary>
    public byte[] ReadImageBytes(int index) => ReadImageRecord(index).Image;

    /// <summary>Image <paramref name="index"/>, decoded by <see cref="ImageFile.Decode"/>.</summary>
    public RgbImage ReadImage(int index) => ImageFile.Decode(ReadImageBytes(index), $"{RecPath}: record {_firstImage + index}");

    /// <summary>The class label of image <paramref name="index"/> (its header's first label), checked to be a whole number ≥ 0.</summary>
    public int ReadLabel(int index) => LabelOf(ReadImageRecord(index).Header, _firstImage + index);

    /// <summary>
    /// <see cref="ReadLabel"/> reading only the record's first 36 bytes (its part header, the IRHeader and the first label) rather
    /// than the whole image: what a scan of every label costs. A record whose first part is shorter is read whole.
    /// </summary>
    internal int ReadLabelOnly(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"Images are 0..{Count - 1}.");
        var key = _firstImage + index;
        var position = _offsets[key];
        Span<byte> head = stackalloc byte[8 + RecordIoHeader.Size + 4];
        if (position + head.Length > RecLength) return ReadLabel(index);
        Read(head, position);
        if (BinaryPrimitives.ReadUInt32LittleEndian(head) != RecordIoFormat.Magic) return ReadLabel(index);
        var (_, length) = RecordIoFormat.DecodeLRecord(BinaryPrimitives.ReadUInt32LittleEndian(head[4..]));
        var payload = head[8..];
        var flag = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        if (length < RecordIoHeader.Size + (flag > 0 ? 4 : 0)) return ReadLabel(index);
        var label = BinaryPrimitives.ReadSingleLittleEndian(flag > 0 ? payload[RecordIoHeader.Size..] : payload[4..]);
        return LabelOf(new RecordIoHeader(0, label, 0, 0, []), key);
    }

    /// <summary>The label stored in <paramref name="header"/> of record <paramref name="key"/>, checked to be a whole number ≥ 0.</summary>
    internal int LabelOf(RecordIoHeader header, int key)
    {
        var label = header.PrimaryLabel;
        if (!IsWhole(label) || label < 0 || label >= 1 << 24)
            throw new MarginFaceException($"{RecPath}: record {key}: label {Show(label)} is not a class number");
        return (int)label;
    }

    /// <summary>
    /// The images [Start, End) (0-based image indices) of identity <paramref name="identity"/>, read from its identity record
    /// (InsightFace's layout only).
    /// </summary>
    public (int Start, int End) ReadIdentityRange(int identity)
    {
        if ((uint)identity >= (uint)IdentityCount) throw new ArgumentOutOfRangeException(nameof(identity), identity, $"Identities are 0..{IdentityCount - 1}.");
        var key = IdentityStart + identity;
        var (header, _) = RecordIoFormat.ParseHeader(ReadRecord(key), $"{RecPath}: record {key}");
        if (header.Labels.Count < 2) throw new MarginFaceException($"{RecPath}: identity record {key} holds {header.Labels.Count} labels, not an image range");
        var (start, end) = (header.Labels[0], header.Labels[1]);
        if (!IsWhole(start) || !IsWhole(end) || start < 1 || end < start || end > IdentityStart)
            throw new MarginFaceException($"{RecPath}: identity record {key}: range [{Show(start)}, {Show(end)}) is not within the image records 1..{IdentityStart - 1}");
        return ((int)start - 1, (int)end - 1);
    }

    /// <summary>Closes the <c>.rec</c> file.</summary>
    public void Dispose() => _handle.Dispose();

    private void Read(Span<byte> buffer, long position)
    {
        try
        {
            while (buffer.Length > 0)
            {
                var read = RandomAccess.Read(_handle, buffer, position);
                if (read == 0) throw new MarginFaceException($"{RecPath}: truncated: the file ends at byte {position}");
                buffer = buffer[read..];
                position += read;
            }
        }
        catch (IOException e)
        {
            throw new MarginFaceException($"{RecPath}: cannot read ({e.Message.ReplaceLineEndings(" ")})");
        }
    }

    private static long[] ReadIndex(string indexPath, string recPath, long recLength)
    {
        // Every record takes at least 8 bytes of the .rec, so that bounds how many an honest index can list.
        var most = (int)Math.Min(ReadLimits.MaxRecordIoRecords, recLength / 8);
        var keys = new List<int>();
        var offsets = new List<long>();
        var line = new System.Text.StringBuilder();
        var number = 0;
        void EndLine()
        {
            number++;
            var text = line.ToString().Trim();
            line.Clear();
            if (text.Length == 0) return;
            if (keys.Count >= most)
                throw new MarginFaceException($"{indexPath}: lists more than {most} records, more than {recPath} ({recLength} bytes) can hold");
            var fields = text.Split('\t');
            if (fields.Length != 2
                || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var key)
                || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
                throw new MarginFaceException($"{indexPath}: line {number} is not 'key<TAB>offset'");
            if (offset > recLength - 8)
                throw new MarginFaceException($"{indexPath}: record {key} points to byte {offset}, past the end of {recPath} ({recLength} bytes)");
            keys.Add(key);
            offsets.Add(offset);
        }
        try
        {
            using var stream = new FileStream(indexPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                foreach (var c in buffer.AsSpan(0, read))
                {
                    if (c == '\n')
                    {
                        EndLine();
                        continue;
                    }
                    if (line.Length >= ReadLimits.MaxRecordIoIndexLineLength)
                        throw new MarginFaceException($"{indexPath}: line {number + 1} is longer than {ReadLimits.MaxRecordIoIndexLineLength} characters; not a RecordIO index");
                    line.Append((char)c);
                }
            }
            if (line.Length > 0) EndLine();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"{indexPath}: cannot read ({e.Message.ReplaceLineEndings(" ")})");
        }
        var byKey = new long[keys.Count];
        Array.Fill(byKey, -1);
        for (int i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            if (key >= byKey.Length) throw new MarginFaceException($"{indexPath}: key {key} is outside 0..{byKey.Length - 1} (keys must be 0..N−1)");
            if (byKey[key] >= 0) throw new MarginFaceException($"{indexPath}: key {key} is listed twice");
            byKey[key] = offsets[i];
        }
        return byKey;
    }

    private static (int, int, int) ReadProperty(string path)
    {
        string text;
        try
        {
            if (new FileInfo(path).Length > ReadLimits.MaxRecordIoPropertyBytes)
                throw new MarginFaceException($"{path}: larger than {ReadLimits.MaxRecordIoPropertyBytes} bytes; not a RecordIO property file");
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"{path}: cannot read ({e.Message.ReplaceLineEndings(" ")})");
        }
        var fields = text.Split(',');
        var values = new int[3];
        if (fields.Length != 3 || fields.Where((f, i) => !int.TryParse(f.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1).Any())
            throw new MarginFaceException($"{path}: expected 'num_classes,height,width', found '{(text.Length > 60 ? text[..60] + "…" : text)}'");
        return (values[0], values[1], values[2]);
    }

    private static bool IsWhole(float value) => float.IsFinite(value) && MathF.Floor(value) == value;

    private static string Show(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
