using MarginFace.Runtime;

namespace MarginFace.Losses.Mining;

/// <summary>
/// The P×K batch sampler of pair and triplet losses (Hermans, Beyer and Leibe 2017, "In Defense of the Triplet Loss"): each batch holds
/// <see cref="Identities"/> distinct identities with <see cref="ImagesPerIdentity"/> images each, so every anchor has K − 1
/// positives and (P − 1)·K negatives in its batch. Step s of epoch e draws its P identities without replacement, and each
/// identity's K images without replacement where it has at least K (with replacement where it has fewer), all from
/// <see cref="SplitMix64"/> keyed by (seed, e, s): the plan is a pure function of its keys, so a resumed run reads the same batches.
/// An epoch has ⌊N / (P·K)⌋ steps for N images.
/// </summary>
public sealed record PkBatchPlan(int Identities, int ImagesPerIdentity)
{
    /// <summary>Stream tag separating these draws from the shuffle and the augmentation of the same seed.</summary>
    private const long PkStream = 0x506B4B;

    /// <summary>Images per batch, P·K.</summary>
    public int BatchSize => Identities * ImagesPerIdentity;

    /// <summary>Parses "P,K" (both at least 1, K at least 2 so that every anchor has a positive).</summary>
    public static PkBatchPlan Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], out var p) || !int.TryParse(parts[1], out var k) || p < 2 || k < 2)
            throw new MarginFaceException($"P×K plan '{text}': expected P,K with P ≥ 2 identities and K ≥ 2 images per identity (e.g. 16,4)");
        return new PkBatchPlan(p, k);
    }

    /// <summary>"P,K", the text <see cref="Parse"/> reads back.</summary>
    public override string ToString() => $"{Identities},{ImagesPerIdentity}";

    /// <summary>Steps of an epoch over <paramref name="images"/> images.</summary>
    public int Steps(int images) => images / BatchSize;

    /// <summary>
    /// Epoch <paramref name="epoch"/>'s sample indices, batch after batch: positions s·P·K … of step s, identity by identity.
    /// <paramref name="labels"/>[i] is sample i's identity, 0 ≤ label &lt; <paramref name="classCount"/>. Fewer than P identities
    /// is a one-line error naming <paramref name="source"/> (the data set).
    /// </summary>
    public int[] Order(IReadOnlyList<int> labels, int classCount, long seed, int epoch, string source)
    {
        var byIdentity = new List<int>[classCount];
        for (int c = 0; c < classCount; c++) byIdentity[c] = [];
        for (int i = 0; i < labels.Count; i++) byIdentity[labels[i]].Add(i);
        var present = Enumerable.Range(0, classCount).Where(c => byIdentity[c].Count > 0).ToArray();
        if (present.Length < Identities)
            throw new MarginFaceException($"{source}: {present.Length} identities with images, fewer than the {Identities} of each P×K batch (P×K plan {this})");
        var steps = Steps(labels.Count);
        var order = new int[steps * BatchSize];
        for (int step = 0; step < steps; step++)
        {
            var identities = (int[])present.Clone();
            var random = SplitMix64.For(PkStream, seed, epoch, step);
            PartialShuffle(identities, Identities, ref random);
            for (int j = 0; j < Identities; j++)
            {
                var images = byIdentity[identities[j]];
                var at = (step * Identities + j) * ImagesPerIdentity;
                if (images.Count >= ImagesPerIdentity)
                {
                    var pool = images.ToArray();
                    PartialShuffle(pool, ImagesPerIdentity, ref random);
                    Array.Copy(pool, 0, order, at, ImagesPerIdentity);
                }
                else
                {
                    for (int k = 0; k < ImagesPerIdentity; k++) order[at + k] = images[random.NextInt(images.Count)];
                }
            }
        }
        return order;
    }

    /// <summary>Moves a uniform draw without replacement of <paramref name="count"/> elements to the front (Fisher–Yates, first steps).</summary>
    private static void PartialShuffle(int[] values, int count, ref SplitMix64 random)
    {
        for (int i = 0; i < count; i++)
        {
            var j = i + random.NextInt(values.Length - i);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
