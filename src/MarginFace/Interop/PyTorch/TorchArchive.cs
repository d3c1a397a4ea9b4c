using System.IO.Compression;
using System.Text;
using MarginFace.Runtime;

namespace MarginFace.Interop.PyTorch;

/// <summary>
/// The zip archive <c>torch.save</c> writes (PyTorch ≥ 1.6): <c>NAME/data.pkl</c>, <c>NAME/data/KEY</c> for each storage,
/// <c>NAME/byteorder</c> (absent in older files: little-endian) and <c>NAME/version</c>. Every entry is read only after its
/// declared size has been checked against the file's size and the size the caller expects, so a lying header cannot
/// make it allocate more than the file could hold.
/// </summary>
internal sealed class TorchArchive : IDisposable
{
    /// <summary>See <see cref="ReadLimits.MaxArchiveExpansion"/>, where every reader's budget is named with its reason.</summary>
    private const long MaxExpansion = ReadLimits.MaxArchiveExpansion;

    private readonly string _path;
    private readonly FileStream _file;
    private readonly ZipArchive _zip;
    private readonly string _prefix;

    private TorchArchive(string path, FileStream file, ZipArchive zip, string prefix)
    {
        _path = path;
        _file = file;
        _zip = zip;
        _prefix = prefix;
    }

    public bool BigEndian { get; private set; }

    public static TorchArchive Open(string path)
    {
        if (!File.Exists(path)) throw new MarginFaceException($"{path}: file not found");
        var file = File.OpenRead(path);
        try
        {
            CheckMagic(path, file);
            ZipArchive? zip = null;
            try
            {
                // ZipArchive reads its central directory lazily: the first look at the entries can find it corrupt too.
                zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
                var archive = new TorchArchive(path, file, zip, FindPrefix(path, zip));
                archive.BigEndian = archive.ReadByteOrder();
                return archive;
            }
            catch (InvalidDataException e)
            {
                zip?.Dispose();
                throw new MarginFaceException($"{path}: truncated or corrupt zip archive ({OneLine(e.Message)})", e);
            }
            catch (MarginFaceException)
            {
                zip?.Dispose();
                throw;
            }
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public byte[] ReadPickle(long maxBytes) =>
        ReadEntry("data.pkl", expectedLength: null, maxBytes)
        ?? throw new MarginFaceException($"{_path}: the archive holds no {_prefix}data.pkl");

    /// <summary>
    /// Checks, without reading it, that storage <c>data/KEY</c> exists and declares exactly <paramref name="expectedLength"/>
    /// bytes, which its stored size and the file's can hold.
    /// </summary>
    public void CheckStorage(string key, long expectedLength, string declaration)
    {
        if (CheckedEntry($"data/{key}", expectedLength, expectedLength, declaration) is null)
            throw new MarginFaceException($"{_path}: tensor storage 'data/{key}' is missing from the archive");
    }

    /// <summary>The bytes of storage <c>data/KEY</c>, which must be exactly <paramref name="expectedLength"/> long.</summary>
    public byte[] ReadStorage(string key, long expectedLength, string declaration) =>
        ReadEntry($"data/{key}", expectedLength, expectedLength, declaration)
        ?? throw new MarginFaceException($"{_path}: tensor storage 'data/{key}' is missing from the archive");

    private bool ReadByteOrder()
    {
        var bytes = ReadEntry("byteorder", expectedLength: null, maxBytes: 16);
        if (bytes is null) return false;
        return Encoding.ASCII.GetString(bytes).Trim() switch
        {
            "little" => false,
            "big" => true,
            var other => throw new MarginFaceException($"{_path}: byteorder '{other}' is neither 'little' nor 'big'"),
        };
    }

    private byte[]? ReadEntry(string name, long? expectedLength, long maxBytes, string? declaration = null)
    {
        var entry = CheckedEntry(name, expectedLength, maxBytes, declaration);
        if (entry is null) return null;
        var buffer = new byte[entry.Length];
        try
        {
            using var stream = entry.Open();
            stream.ReadExactly(buffer);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException)
        {
            throw new MarginFaceException($"{_path}: entry '{name}' is truncated or corrupt ({OneLine(e.Message)})", e);
        }
        return buffer;
    }

    /// <summary>The entry <paramref name="name"/> (null when absent) once its declared sizes have been checked; nothing is read.</summary>
    private ZipArchiveEntry? CheckedEntry(string name, long? expectedLength, long maxBytes, string? declaration)
    {
        var entry = _zip.GetEntry(_prefix + name);
        if (entry is null) return null;
        var length = entry.Length;
        if (expectedLength is { } expected && length != expected)
            throw new MarginFaceException($"{_path}: storage '{name}' holds {length} bytes, but its header declares {expected} ({declaration})");
        if (length > maxBytes || length > Array.MaxLength)
            throw new MarginFaceException($"{_path}: entry '{name}' declares {length} bytes, more than this reader accepts ({Math.Min(maxBytes, Array.MaxLength)})");
        if (entry.CompressedLength > _file.Length || length > entry.CompressedLength * MaxExpansion + 1024)
            throw new MarginFaceException($"{_path}: entry '{name}' declares {length} bytes from {entry.CompressedLength} stored bytes in a file of {_file.Length}; the archive is corrupt");
        return entry;
    }

    private static void CheckMagic(string path, FileStream file)
    {
        Span<byte> magic = stackalloc byte[4];
        var read = file.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        file.Position = 0;
        if (read == 4 && magic.SequenceEqual("PK\u0003\u0004"u8)) return;
        if (read >= 2 && magic[0] == 0x80 && magic[1] <= 5)
            throw new MarginFaceException($"{path}: a pickle without the zip container (PyTorch's legacy format from before 1.6); re-save it with torch.save in PyTorch 1.6 or later");
        throw new MarginFaceException($"{path}: not a torch.save checkpoint (no zip archive)");
    }

    private static string FindPrefix(string path, ZipArchive zip)
    {
        var pickles = zip.Entries
            .Select(entry => entry.FullName)
            .Where(name => name.EndsWith("/data.pkl", StringComparison.Ordinal) && name.IndexOf('/') == name.Length - "/data.pkl".Length)
            .ToList();
        return pickles.Count switch
        {
            1 => pickles[0][..^"data.pkl".Length],
            0 => throw new MarginFaceException($"{path}: a zip archive without NAME/data.pkl, so not a torch.save checkpoint"),
            _ => throw new MarginFaceException($"{path}: a zip archive with {pickles.Count} data.pkl entries; torch.save writes one"),
        };
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    public void Dispose()
    {
        _zip.Dispose();
        _file.Dispose();
    }
}
