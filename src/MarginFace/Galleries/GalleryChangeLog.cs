using System.Data.Common;

namespace MarginFace.Galleries;

/// <summary>
/// Reads a store's change log (rows of seq, kind, person id, first and last embedding id) after a change number into
/// <see cref="GalleryChanges"/>, the same for both stores. Null, meaning "re-read the whole gallery", when the log cannot be
/// replayed: more than <see cref="GalleryChanges.MaxReplayed"/> changes behind, a number missing (pruned, or written before
/// the log existed), a row without its range or person (logged by schema 1) or of a kind this program does not know.
/// </summary>
internal static class GalleryChangeLog
{
    /// <param name="version">The store's version, read in the same snapshot as everything else here.</param>
    /// <param name="since">The change number the reader has applied.</param>
    /// <param name="store">The gallery as messages name it.</param>
    /// <param name="logAfter">A command selecting the log rows after <paramref name="since"/> in order.</param>
    /// <param name="rowsBetween">A command selecting (id, image SHA-256, person id, name) of the embeddings with ids in a range, in id order.</param>
    /// <param name="nameOf">A person's current name, or null when gone.</param>
    public static GalleryChanges? Read(GalleryVersion version, long since, string store, Func<DbCommand> logAfter, Func<long, long, DbCommand> rowsBetween,
        Func<long, string?> nameOf)
    {
        var behind = version.Generation - since;
        if (behind < 0 || behind > GalleryChanges.MaxReplayed) return null;
        var ranges = new List<(long First, long Last)>();
        var removed = new HashSet<long>();
        var renamed = new HashSet<long>();
        if (behind > 0)
        {
            using var command = logAfter();
            using var reader = command.ExecuteReader();
            var expected = since + 1;
            while (reader.Read())
            {
                if (reader.GetValue(0) is not long seq || seq != expected++) return null;
                var person = reader.GetValue(2) as long?;
                var (first, last) = (reader.GetValue(3) as long?, reader.GetValue(4) as long?);
                switch (reader.GetValue(1) as string)
                {
                    case GalleryChanges.Enrol when first is { } f && last is { } l:
                        if (f <= l) ranges.Add((f, l));
                        break;
                    case GalleryChanges.Rename when person is { } p:
                        renamed.Add(p);
                        break;
                    case GalleryChanges.Remove when person is { } p:
                        removed.Add(p);
                        break;
                    default:
                        return null;
                }
            }
            if (expected != version.Generation + 1) return null;
        }
        // Ranges in id order, so the rows arrive ascending; an overlap (an id reused after a removal) is read once.
        var added = new GalleryOwners.Builder(store);
        foreach (var (first, last) in ranges.OrderBy(r => r.First))
        {
            if (last <= added.LastId) continue;
            using var command = rowsBetween(Math.Max(first, added.LastId + 1), last);
            using var reader = command.ExecuteReader();
            while (reader.Read()) added.Add(reader);
        }
        var names = new Dictionary<long, string>();
        foreach (var person in renamed)
            if (nameOf(person) is { } name) names[person] = name;
        return new GalleryChanges(version, (int)behind, added.Build(), removed, names);
    }
}
