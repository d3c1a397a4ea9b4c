using System.Collections;

namespace MarginFace.Losses.Mining;

/// <summary>
/// P×K batch sampler (Hermans, Beyer, Leibe, 2017): each batch holds K sample indices for each of P distinct identities,
/// grouped by identity, the layout that <see cref="Losses.BatchTripletLoss"/> needs.
/// </summary>
/// <remarks>
/// An epoch shuffles the identities and cuts them into ⌊#identities / P⌋ batches (the remainder is dropped), so each
/// identity appears at most once per epoch. An identity with n ≥ K samples contributes K distinct samples drawn without
/// replacement; one with n &lt; K contributes all n samples plus K − n drawn uniformly with replacement (so duplicates occur).
/// Epoch e is a pure function of (seed, e); enumerating the sampler itself yields epoch 0, 1, 2, ... on successive enumerations.
/// </remarks>
public sealed class PKSampler : IEnumerable<int[]>
{
    private readonly int[][] _byIdentity;
    private readonly int _seed;
    private int _nextEpoch;

    /// <param name="labels">Identity label of each sample; indices into this array are what batches contain.</param>
    /// <param name="p">Identities per batch, 1 ≤ p ≤ number of distinct labels.</param>
    /// <param name="k">Samples per identity, ≥ 1.</param>
    /// <param name="seed">Seed that makes every epoch reproducible.</param>
    public PKSampler(int[] labels, int p, int k, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels, nameof(labels));
        if (labels.Length == 0)
            throw new ArgumentException("labels must not be empty.", nameof(labels));
        if (p < 1)
            throw new ArgumentOutOfRangeException(nameof(p), p, "p must be >= 1.");
        if (k < 1)
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be >= 1.");
        _byIdentity = labels
            .Select((label, index) => (label, index))
            .GroupBy(t => t.label)
            .OrderBy(g => g.Key)
            .Select(g => g.Select(t => t.index).ToArray())
            .ToArray();
        if (p > _byIdentity.Length)
            throw new ArgumentOutOfRangeException(nameof(p), p, $"p must not exceed the number of identities ({_byIdentity.Length}).");
        P = p;
        K = k;
        _seed = seed;
    }

    public int P { get; }

    public int K { get; }

    public int BatchSize => P * K;

    public int IdentityCount => _byIdentity.Length;

    public int BatchesPerEpoch => _byIdentity.Length / P;

    /// <summary>The batches of epoch <paramref name="epoch"/>, each an array of P·K sample indices grouped by identity.</summary>
    public IEnumerable<int[]> Epoch(int epoch)
    {
        if (epoch < 0)
            throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "epoch must be >= 0.");
        return EpochIterator(epoch);
    }

    private IEnumerable<int[]> EpochIterator(int epoch)
    {
        var rng = new Random(EpochSeed(_seed, epoch));
        var identities = Enumerable.Range(0, _byIdentity.Length).ToArray();
        rng.Shuffle(identities);
        for (var batch = 0; batch < BatchesPerEpoch; batch++)
        {
            var result = new int[P * K];
            for (var slot = 0; slot < P; slot++)
                Draw(_byIdentity[identities[batch * P + slot]], rng).CopyTo(result, slot * K);
            yield return result;
        }
    }

    // SplitMix64 finaliser of (seed, epoch): distinct epochs get unrelated, process-independent seeds.
    private static int EpochSeed(int seed, int epoch)
    {
        var z = unchecked(((ulong)(uint)seed << 32 | (uint)epoch) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31));
    }

    private int[] Draw(int[] samples, Random rng)
    {
        var pool = (int[])samples.Clone();
        rng.Shuffle(pool);
        if (pool.Length >= K)
            return pool[..K];
        var drawn = new int[K];
        pool.CopyTo(drawn, 0);
        for (var i = pool.Length; i < K; i++)
            drawn[i] = samples[rng.Next(samples.Length)];
        rng.Shuffle(drawn);
        return drawn;
    }

    /// <summary>Yields the next epoch (0 on the first enumeration, then 1, 2, ...).</summary>
    public IEnumerator<int[]> GetEnumerator() => EpochIterator(Interlocked.Increment(ref _nextEpoch) - 1).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
