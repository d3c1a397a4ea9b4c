using System.Formats.Tar;
using System.IO.Compression;

namespace MarginFace.Runtime;

/// <summary>Reads regular files out of a package tarball (a gzipped tar, npm's <c>.tgz</c>).</summary>
internal static class PackageTarball
{
    /// <summary>
    /// Copies into <paramref name="destination"/> every regular file whose entry name (with <c>/</c> separators)
    /// <paramref name="select"/> maps to an output file name; entries it maps to null are skipped. Two entries with one
    /// output name, an output name <paramref name="required"/> lists but no entry gave, or a tarball that is not a
    /// readable gzipped tar are one-line errors naming <paramref name="spec"/> or the tarball.
    /// </summary>
    public static void ExtractFiles(string tarball, string destination, Func<string, string?> select, IEnumerable<string> required, string spec)
    {
        try
        {
            using var file = File.OpenRead(tarball);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                if (select(entry.Name.Replace('\\', '/')) is not { } name) continue;
                var path = Path.Combine(destination, name);
                if (File.Exists(path)) throw new MarginFaceException($"{spec}: the package holds {name} more than once");
                using var output = File.Create(path);
                entry.DataStream.CopyTo(output);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new MarginFaceException($"{tarball}: not a readable gzipped tar: {e.Message}", e);
        }
        foreach (var name in required)
            if (!File.Exists(Path.Combine(destination, name)))
                throw new MarginFaceException($"{spec}: the package holds no {name}");
    }
}
