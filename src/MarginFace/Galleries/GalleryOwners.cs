namespace MarginFace.Galleries;

/// <summary>
/// Every embedding of a store by ascending id: its image fingerprint (the first 8 bytes of the image SHA-256, so that an id a
/// store reuses for another image is not mistaken for the old one) and its person, an index into <see cref="Names"/>, whose
/// store id is the same index into <see cref="PersonIds"/>.
/// </summary>
internal sealed record GalleryOwners(long[] Ids, long[] Fingerprints, int[] Owners, string[] Names, long[] PersonIds)
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
        var builder = new Builder(store);
        while (reader.Read()) builder.Add(reader);
        return builder.Build();
    }

    /// <summary>Collects rows read as <see cref="Read"/> reads them, from one reader or several; ids ascending and distinct.</summary>
    internal sealed class Builder(string store)
    {
        private readonly List<long> ids = [];
        private readonly List<long> fingerprints = [];
        private readonly List<int> owners = [];
        private readonly List<string> names = [];
        private readonly List<long> personIds = [];
        private readonly Dictionary<long, int> people = [];

        /// <summary>The last id added; rows at or below it are skipped (ranges of a change log may overlap).</summary>
        public long LastId { get; private set; } = long.MinValue;

        public void Add(System.Data.Common.DbDataReader reader)
        {
            var id = reader.GetInt64(0);
            if (id <= LastId) return;
            LastId = id;
            ids.Add(id);
            fingerprints.Add(Fingerprint(reader.GetString(1)) ?? throw new MarginFaceException($"{store}: an image SHA-256 is not hex (edited or damaged)"));
            var person = reader.GetInt64(2);
            if (!people.TryGetValue(person, out var at))
            {
                people[person] = at = names.Count;
                names.Add(reader.GetString(3));
                personIds.Add(person);
            }
            owners.Add(at);
        }

        public GalleryOwners Build() => new([.. ids], [.. fingerprints], [.. owners], [.. names], [.. personIds]);
    }

    /// <summary>The position of <paramref name="id"/>, or a negative number when absent.</summary>
    public int Find(long id) => Array.BinarySearch(Ids, id);

    /// <summary>
    /// These owners after <paramref name="changes"/>: the removed people's embeddings dropped, the enrolled ones merged in (an
    /// id already held is replaced: a store may reuse the id of a removed row), renamed people's names replaced. A person id a
    /// store reused after a removal gets a new name slot; the old slot is left unused until the next whole read. No map of
    /// every person is built: one scan finds the slots of the people the changes name, and the arrays are copied once.
    /// </summary>
    public GalleryOwners Apply(GalleryChanges changes)
    {
        var added = changes.Added;
        var named = new HashSet<long>(changes.RemovedPeople);
        named.UnionWith(changes.Names.Keys);
        named.UnionWith(added.PersonIds);
        // A person id listed twice was removed and reused by a store: its later slot is the live one.
        var slots = new Dictionary<long, int>(named.Count);
        for (int k = PersonIds.Length - 1; k >= 0 && slots.Count < named.Count; k--)
            if (named.Contains(PersonIds[k])) slots.TryAdd(PersonIds[k], k);
        var dead = new HashSet<int>();
        foreach (var person in changes.RemovedPeople)
            if (slots.Remove(person, out var slot)) dead.Add(slot);

        List<string>? names = null;
        List<long>? personIds = null;
        var addedSlots = new int[added.Ids.Length];
        for (int i = 0; i < added.Ids.Length; i++)
        {
            var person = added.PersonIds[added.Owners[i]];
            var name = added.Names[added.Owners[i]];
            names ??= [.. Names];
            if (!slots.TryGetValue(person, out var slot))
            {
                personIds ??= [.. PersonIds];
                slots[person] = slot = names.Count;
                names.Add(name);
                personIds.Add(person);
            }
            else names[slot] = name;
            addedSlots[i] = slot;
        }
        foreach (var (person, name) in changes.Names)
            if (slots.TryGetValue(person, out var slot)) (names ??= [.. Names])[slot] = name;

        // Merge the kept rows (ascending) with the added ones (ascending, distinct); an equal id takes the added row.
        var capacity = Ids.Length + added.Ids.Length;
        var ids = new long[capacity];
        var fingerprints = new long[capacity];
        var owners = new int[capacity];
        int a = 0, b = 0, n = 0;
        if (dead.Count == 0 && (added.Ids.Length == 0 || Ids.Length == 0 || added.Ids[0] > Ids[^1]))
        {
            // The usual enrolment: new ids above every old one, nobody removed: two block copies.
            Ids.CopyTo(ids, 0);
            Fingerprints.CopyTo(fingerprints, 0);
            Owners.CopyTo(owners, 0);
            (a, n) = (Ids.Length, Ids.Length);
        }
        while (a < Ids.Length || b < added.Ids.Length)
        {
            if (b == added.Ids.Length || (a < Ids.Length && Ids[a] < added.Ids[b]))
            {
                if (!dead.Contains(Owners[a])) (ids[n], fingerprints[n], owners[n++]) = (Ids[a], Fingerprints[a], Owners[a]);
                a++;
            }
            else
            {
                if (a < Ids.Length && Ids[a] == added.Ids[b]) a++;
                (ids[n], fingerprints[n], owners[n++]) = (added.Ids[b], added.Fingerprints[b], addedSlots[b]);
                b++;
            }
        }
        if (n < capacity)
        {
            Array.Resize(ref ids, n);
            Array.Resize(ref fingerprints, n);
            Array.Resize(ref owners, n);
        }
        return new GalleryOwners(ids, fingerprints, owners, names is null ? Names : [.. names], personIds is null ? PersonIds : [.. personIds]);
    }
}
