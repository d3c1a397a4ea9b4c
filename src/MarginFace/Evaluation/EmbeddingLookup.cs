namespace MarginFace.Evaluation;

/// <summary>
/// An <see cref="IEmbeddingSource"/> over the records of an <see cref="EmbeddingsFile"/>. Matching rule: an image named relative to the
/// images directory, <c>Name/Name_0001.jpg</c>, matches the record whose path ends with the same last two components (separated by '/' or
/// '\'), whatever comes before them, so absolute paths, paths relative to any directory and Windows paths all match. Two records that end
/// alike make that image ambiguous: asking for it is an error naming both.
/// </summary>
internal sealed class EmbeddingLookup : IEmbeddingSource
{
    private readonly Dictionary<string, ImageEmbedding> byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> ambiguous = new(StringComparer.Ordinal);
    private readonly string source;

    /// <summary>Indexes <paramref name="records"/>; <paramref name="source"/> (the file) names them in messages.</summary>
    public EmbeddingLookup(IEnumerable<ImageEmbedding> records, string source)
    {
        this.source = source;
        foreach (var record in records)
        {
            var key = Key(record.Image);
            if (!byKey.TryAdd(key, record)) ambiguous.TryAdd(key, $"{byKey[key].Image} and {record.Image}");
        }
    }

    /// <summary>The last two components of <paramref name="path"/>, joined by '/': the key images are matched by.</summary>
    public static string Key(string path)
    {
        var parts = path.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 ? $"{parts[^2]}/{parts[^1]}" : parts.Length == 1 ? parts[0] : path;
    }

    public IReadOnlyList<float[]> Embed(IReadOnlyList<string> images)
    {
        var result = new float[images.Count][];
        for (int i = 0; i < images.Count; i++)
        {
            var key = Key(images[i]);
            if (ambiguous.TryGetValue(key, out var both)) throw new MarginFaceException($"{source}: image {images[i]} is ambiguous: {both} both end in {key}");
            if (!byKey.TryGetValue(key, out var record)) throw new MarginFaceException($"{source}: no embedding for image {images[i]} (no image path ends in {key})");
            result[i] = record.Embedding;
        }
        return result;
    }
}
