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

    /// <summary>
    /// Reads rows of (embedding id, image SHA-256, person id, person name) ordered by embedding id, as both stores select them;
    /// <paramref name="store"/> names the gallery in the error for a SHA-256 that is not hex.
    /// </summary>
    public static GalleryOwners Read(System.Data.Common.DbDataReader reader, string store)
    {
        var ids = new List<long>();
        var fingerprints = new List<long>();
        var owners = new List<int>();
        var names = new List<string>();
        var people = new Dictionary<long, int>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
            fingerprints.Add(Fingerprint(reader.GetString(1)) ?? throw new MarginFaceException($"{store}: an image SHA-256 is not hex (edited or damaged)"));
            var person = reader.GetInt64(2);
            if (!people.TryGetValue(person, out var at))
            {
                people[person] = at = names.Count;
                names.Add(reader.GetString(3));
            }
            owners.Add(at);
        }
        return new GalleryOwners([.. ids], [.. fingerprints], [.. owners], [.. names]);
    }

    /// <summary>The position of <paramref name="id"/>, or a negative number when absent.</summary>
    public int Find(long id) => Array.BinarySearch(Ids, id);
}
