namespace MarginFace.Galleries;

/// <summary>
/// Copies every embedding of one gallery into another (SQLite ↔ PostgreSQL, or any two), streaming: entries are read as
/// written, a batch of whole people per transaction. It is resumable because enrolment skips what the target already has by
/// its key (person name and image SHA-256): a copy cut part way is run again and continues. At the end every source person's
/// embedding count is compared with the target's (the count check); a shortfall is an error.
/// </summary>
public static class GalleryCopy
{
    /// <summary>What a copy did: embeddings and people read from the source, embeddings added and already there.</summary>
    public sealed record Result(long Embeddings, long People, long Added, long Duplicates);

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="target"/>, <paramref name="batch"/> embeddings (rounded up to whole
    /// people) per transaction; <paramref name="progress"/> hears the running totals after each commit.
    /// </summary>
    public static Result Copy(IFaceGallery source, IFaceGallery target, int batch = 1000, Action<Result>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (source.ModelId is not { } modelId) return new Result(0, 0, 0, 0);
        if (target.ModelId is { } other && other != modelId)
            throw new MarginFaceException($"{target.Path}: gallery holds embeddings of model '{other}', {source.Path} of '{modelId}'");
        var model = source.ModelReference;
        long embeddings = 0, people = 0, added = 0, duplicates = 0;
        var pending = new List<(string Name, IReadOnlyList<GalleryEntry> Entries)>();
        List<GalleryEntry>? current = null;
        string? currentName = null;
        int pendingCount = 0;
        foreach (var (name, entry) in source.Entries())
        {
            embeddings++;
            if (name != currentName)
            {
                if (current is not null)
                {
                    pending.Add((currentName!, current));
                    if (pendingCount >= batch) Flush();
                }
                (currentName, current) = (name, []);
                people++;
            }
            current!.Add(entry);
            pendingCount++;
        }
        if (current is not null) pending.Add((currentName!, current));
        Flush();
        var have = target.List().ToDictionary(p => p.Name, p => p.Embeddings, StringComparer.Ordinal);
        foreach (var person in source.List())
            if (!have.TryGetValue(person.Name, out var count) || count < person.Embeddings)
                throw new MarginFaceException($"{target.Path}: after the copy {person.Name} has {(have.TryGetValue(person.Name, out var c) ? c : 0)} embeddings, {source.Path} {person.Embeddings} (count check failed)");
        return new Result(embeddings, people, added, duplicates);

        void Flush()
        {
            if (pending.Count == 0) return;
            foreach (var result in target.EnrolAll(pending, modelId, model: model))
            {
                added += result.Added;
                duplicates += result.Duplicates;
            }
            pending.Clear();
            pendingCount = 0;
            progress?.Invoke(new Result(embeddings, people, added, duplicates));
        }
    }
}
