namespace MarginFace.Evaluation;

/// <summary>
/// Closed- and open-set identification of probe images against a gallery, by cosine similarity of L2-normalised embeddings. A probe's rank
/// is 1 + the number of other gallery identities at least as similar as its own (ties count against it). Probes whose identity is not in
/// the gallery are unknown: at a threshold T they are rejected when their best similarity is below T. The identity of an image is the name
/// of its parent folder (<c>s1/3.pgm</c> → <c>s1</c>).
/// </summary>
public static class IdentificationProtocol
{
    /// <summary>The identity of <paramref name="image"/>: the name of its parent folder ('/' or '\' separated).</summary>
    public static string IdentityOf(string image)
    {
        var parts = image.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2) throw new MarginFaceException($"image {image} has no parent folder to name its identity");
        return parts[^2];
    }

    /// <summary>
    /// Splits <paramref name="records"/> by identity: the first <paramref name="galleryPerIdentity"/> images of each identity, by file name in
    /// natural order (numbers by value: <c>2.pgm</c> before <c>10.pgm</c>), form the gallery, the rest are probes. An identity with at most
    /// that many images is all gallery (a distractor without probes).
    /// </summary>
    public static (IReadOnlyList<ImageEmbedding> Gallery, IReadOnlyList<ImageEmbedding> Probes) Split(IReadOnlyList<ImageEmbedding> records, int galleryPerIdentity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(galleryPerIdentity);
        var gallery = new List<ImageEmbedding>();
        var probes = new List<ImageEmbedding>();
        foreach (var identity in records.GroupBy(r => IdentityOf(r.Image), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ordered = identity.OrderBy(r => FileName(r.Image), NaturalComparer.Instance).ThenBy(r => r.Image, StringComparer.Ordinal).ToList();
            gallery.AddRange(ordered.Take(galleryPerIdentity));
            probes.AddRange(ordered.Skip(galleryPerIdentity));
        }
        return (gallery, probes);
    }

    /// <summary>
    /// Identifies every probe against the gallery. <paramref name="threshold"/> (optional) adds the open-set rates. Needs at least one probe
    /// whose identity is in the gallery.
    /// </summary>
    public static IdentificationResult Evaluate(IReadOnlyList<ImageEmbedding> gallery, IReadOnlyList<ImageEmbedding> probes,
        GalleryTemplate template = GalleryTemplate.Mean, double? threshold = null)
    {
        if (gallery.Count == 0) throw new MarginFaceException("the gallery is empty");
        int dimension = gallery[0].Embedding.Length;
        foreach (var record in gallery.Concat(probes))
            if (record.Embedding.Length != dimension)
                throw new MarginFaceException($"embedding of {record.Image} has {record.Embedding.Length} values, that of {gallery[0].Image} {dimension}");

        var identities = gallery.Select(g => IdentityOf(g.Image)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = identities.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
        // Each gallery vector and the identity it stands for: one mean per identity, or every image.
        var vectors = new List<(int Identity, double[] Vector)>();
        if (template == GalleryTemplate.Mean)
        {
            var sums = identities.Select(_ => new double[dimension]).ToArray();
            foreach (var record in gallery)
            {
                var normalised = CosineScores.Normalise(record.Embedding, record.Image);
                var sum = sums[index[IdentityOf(record.Image)]];
                for (int d = 0; d < dimension; d++) sum[d] += normalised[d];
            }
            for (int i = 0; i < identities.Length; i++)
            {
                double norm = Math.Sqrt(CosineScores.Dot(sums[i], sums[i]));
                if (!(norm > 0)) throw new MarginFaceException($"the mean of {identities[i]}'s normalised gallery embeddings is zero, cannot normalise it");
                vectors.Add((i, sums[i].Select(v => v / norm).ToArray()));
            }
        }
        else
        {
            foreach (var record in gallery) vectors.Add((index[IdentityOf(record.Image)], CosineScores.Normalise(record.Embedding, record.Image)));
        }

        var rankCounts = new int[identities.Length];
        int known = 0, unknown = 0, unknownRejected = 0, knownAcceptedRight = 0;
        var similarity = new double[identities.Length];
        foreach (var probe in probes)
        {
            var p = CosineScores.Normalise(probe.Embedding, probe.Image);
            Array.Fill(similarity, double.NegativeInfinity);
            foreach (var (identity, vector) in vectors) similarity[identity] = Math.Max(similarity[identity], CosineScores.Dot(p, vector));
            double best = similarity.Max();
            if (!index.TryGetValue(IdentityOf(probe.Image), out var own))
            {
                unknown++;
                if (threshold is double t && best < t) unknownRejected++;
                continue;
            }
            known++;
            int rank = 1;
            for (int i = 0; i < identities.Length; i++)
                if (i != own && similarity[i] >= similarity[own]) rank++;
            rankCounts[rank - 1]++;
            if (threshold is double t2 && rank == 1 && similarity[own] >= t2) knownAcceptedRight++;
        }
        if (known == 0) throw new MarginFaceException("no probe belongs to an identity of the gallery: nothing to rank");

        var cmc = new double[identities.Length];
        int cumulative = 0;
        for (int r = 0; r < identities.Length; r++)
        {
            cumulative += rankCounts[r];
            cmc[r] = (double)cumulative / known;
        }
        return new IdentificationResult(template, identities.Length, gallery.Count, known, unknown, cmc, threshold,
            threshold is null || unknown == 0 ? null : (double)unknownRejected / unknown,
            threshold is null ? null : (double)knownAcceptedRight / known);
    }

    private static string FileName(string image) => image.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries)[^1];
}
