using System.Security.Cryptography;

namespace MarginFace.Runtime;

/// <summary>SHA-256 digests of files, as lower-case hex, and the check a verified cache fill makes.</summary>
internal static class FileDigest
{
    /// <summary>Lower-case hex SHA-256 of the file at <paramref name="path"/>.</summary>
    public static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    /// <summary>Whether <paramref name="path"/> exists and has the digest <paramref name="expected"/>.</summary>
    public static bool Matches(string path, string expected) =>
        File.Exists(path) && string.Equals(Sha256(path), expected, StringComparison.OrdinalIgnoreCase);

    /// <summary>Throws "<paramref name="source"/>: NAME has SHA-256 …, expected …" when the file's digest differs.</summary>
    public static void Check(string path, string expected, string source)
    {
        var actual = Sha256(path);
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            throw new MarginFaceException($"{source}: {Path.GetFileName(path)} has SHA-256 {actual}, expected {expected}; the cache was left unchanged");
    }
}
