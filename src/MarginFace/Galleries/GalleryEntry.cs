using System.Security.Cryptography;

namespace MarginFace.Galleries;

/// <summary>One embedding to enrol: the SHA-256 (lower-case hex) of the image it came from, and its vector.</summary>
public sealed record GalleryEntry(string ImageSha256, float[] Embedding)
{
    /// <summary>The lower-case hex SHA-256 of a file's bytes.</summary>
    public static string HashFile(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"{path}: cannot read ({e.Message.ReplaceLineEndings(" ")})");
        }
    }
}
