using System.Security.Cryptography;

namespace MarginFace.Server.Photos;

/// <summary>One photo of a request: the name it is called by in messages (its form field or file name), its bytes, and their SHA-256 (the gallery's image hash).</summary>
public sealed record UploadedPhoto(string Name, byte[] Bytes)
{
    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Bytes));
}
