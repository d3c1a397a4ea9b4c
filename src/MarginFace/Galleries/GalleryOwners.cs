namespace MarginFace.Galleries;

/// <summary>
/// Every embedding of a store by ascending id: its image fingerprint (the first 8 bytes of the image SHA-256, so that an id a
/// store reuses for another image is not mistaken for the old one) and its person, an index into <see cref="Names"/>.
/// </summary>
internal sealed record GalleryOwners(long[] Ids, long[] Fingerprints, int[] Owners, string[] Names)
{
    /// <summary>The first 8 bytes of a hex SHA-256 as a number; null when it does not start with 16 hex digits.</summary>
    public static long? Fingerprint(string sha256) =>
        sha256.Length >= 16 && long.TryParse(sha256.AsSpan(0, 16), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var value) ? value : null;

    /// <summary>The position of <paramref name="id"/>, or a negative number when absent.</summary>
    public int Find(long id) => Array.BinarySearch(Ids, id);
}
