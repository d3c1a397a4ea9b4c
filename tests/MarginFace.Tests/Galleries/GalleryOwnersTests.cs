using MarginFace.Galleries;

namespace MarginFace.Tests.Galleries;

public class GalleryOwnersTests
{
    /// <summary>A store in miniature: rows id → (fingerprint, person), people id → name, ids reused the way SQLite reuses them (max + 1).</summary>
    private sealed class Store
    {
        public readonly SortedDictionary<long, (long Fingerprint, long Person)> Rows = [];
        public readonly Dictionary<long, string> People = [];
        public readonly List<(string Kind, long? Person, long First, long Last)> Log = [];
        private long fingerprints;

        public void Enrol(string name, int count)
        {
            var person = People.FirstOrDefault(p => p.Value == name).Key;
            if (person == 0) People[person = People.Count == 0 ? 1 : People.Keys.Max() + 1] = name;
            long first = 0, last = -1;
            for (int i = 0; i < count; i++)
            {
                var id = Rows.Count == 0 ? 1 : Rows.Keys.Max() + 1;
                Rows[id] = (++fingerprints, person);
                if (first > last) first = id;
                last = id;
            }
            Log.Add((GalleryChanges.Enrol, null, first, last));
        }

        public void Remove(long person)
        {
            foreach (var id in Rows.Where(r => r.Value.Person == person).Select(r => r.Key).ToList()) Rows.Remove(id);
            People.Remove(person);
            Log.Add((GalleryChanges.Remove, person, 0, -1));
        }

        public void Rename(long person, string name)
        {
            People[person] = name;
            Log.Add((GalleryChanges.Rename, person, 0, -1));
        }

        public GalleryOwners Owners(Func<long, bool>? only = null)
        {
            var rows = Rows.Where(r => only?.Invoke(r.Key) ?? true).ToList();
            var people = rows.Select(r => r.Value.Person).Distinct().ToList();
            return new GalleryOwners([.. rows.Select(r => r.Key)], [.. rows.Select(r => r.Value.Fingerprint)], [.. rows.Select(r => people.IndexOf(r.Value.Person))],
                [.. people.Select(p => People[p])], [.. people]);
        }

        /// <summary>What <see cref="GalleryChangeLog"/> makes of the log after <paramref name="since"/> entries.</summary>
        public GalleryChanges Changes(int since)
        {
            var entries = Log.Skip(since).ToList();
            var ranges = entries.Where(e => e.Kind == GalleryChanges.Enrol && e.First <= e.Last).ToList();
            var renamed = entries.Where(e => e.Kind == GalleryChanges.Rename).Select(e => e.Person!.Value).Where(People.ContainsKey).Distinct();
            return new GalleryChanges(new GalleryVersion("m", 4, 0, Log.Count), entries.Count, Owners(id => ranges.Any(r => id >= r.First && id <= r.Last)),
                entries.Where(e => e.Kind == GalleryChanges.Remove).Select(e => e.Person!.Value).ToHashSet(), renamed.ToDictionary(p => p, p => People[p]));
        }
    }

    private static IEnumerable<(long Id, long Fingerprint, string Name)> Rows(GalleryOwners owners) =>
        owners.Ids.Select((id, i) => (id, owners.Fingerprints[i], owners.Names[owners.Owners[i]]));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ReplayingAnyRunOfChangesGivesWhatAWholeReadGives(int seed)
    {
        var random = new Random(seed);
        var store = new Store();
        for (int p = 0; p < 5; p++) store.Enrol($"n{p}", 2);
        var owners = store.Owners();
        var seen = store.Log.Count;
        for (int step = 0; step < 300; step++)
        {
            var people = store.People.Keys.ToList();
            switch (random.Next(4))
            {
                case 0 when people.Count > 0: store.Remove(people.Max()); break; // the highest ids go, and come back reused
                case 1 when people.Count > 0: store.Remove(people[random.Next(people.Count)]); break;
                case 2 when people.Count > 0: store.Rename(people[random.Next(people.Count)], $"r{step}"); break;
                default: store.Enrol(random.Next(3) == 0 && people.Count > 0 ? store.People[people[0]] : $"e{step}", random.Next(0, 3)); break;
            }
            if (random.Next(5) == 0)
            {
                owners = owners.Apply(store.Changes(seen));
                seen = store.Log.Count;
                Assert.Equal(Rows(store.Owners()), Rows(owners));
            }
        }
    }

    [Fact]
    public void ARemovedPersonsIdReusedByANewPersonGetsANewNameAndOnlyItsOwnRows()
    {
        var store = new Store();
        store.Enrol("Ann", 2);
        store.Enrol("Bob", 2);
        var owners = store.Owners();
        store.Remove(2);
        store.Enrol("Cy", 1); // person id 2 and embedding id 3 again
        var after = owners.Apply(store.Changes(2));
        Assert.Equal([(1L, 1L, "Ann"), (2, 2, "Ann"), (3, 5, "Cy")], Rows(after));
    }
}
