using System.Security.Cryptography;

namespace MarginFace.Runtime;

/// <summary>
/// A file made from others and kept in the cache (the patched copy of TorchSharp's native library), trusted only while its
/// SHA-256 matches the one recorded beside it (<c>FILE.sha256</c>) when it was made: an emptied or truncated copy (a full
/// disk, a crash of an older version) or one planted by someone else is made again rather than loaded into the process.
/// </summary>
internal static class VerifiedCacheFile
{
    /// <summary>Suffix of the sidecar holding the SHA-256 (hex) of the file's bytes as made.</summary>
    public const string DigestSuffix = ".sha256";

    /// <summary>
    /// Makes sure <paramref name="path"/> holds the bytes it was made with: when it or its digest is missing or they disagree,
    /// calls <paramref name="make"/> and writes the file, then its digest, each atomically. True when the file was (re)made.
    /// </summary>
    public static bool Ensure(string path, Func<byte[]> make)
    {
        if (IsIntact(path)) return false;
        var bytes = make();
        AtomicFile.WriteAllBytes(path, bytes);
        AtomicFile.WriteAllText(path + DigestSuffix, Convert.ToHexStringLower(SHA256.HashData(bytes)) + "\n");
        return true;
    }

    /// <summary>True when the file and its digest exist and the file's SHA-256 is the one recorded.</summary>
    public static bool IsIntact(string path)
    {
        var digestPath = path + DigestSuffix;
        if (!File.Exists(path) || !File.Exists(digestPath)) return false;
        try
        {
            var digestFile = new FileInfo(digestPath);
            if (digestFile.Length > 1024) return false;
            return FileDigest.Matches(path, File.ReadAllText(digestPath).Trim());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
