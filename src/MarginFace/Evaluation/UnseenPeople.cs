using MarginFace.Runtime;

namespace MarginFace.Evaluation;

/// <summary>
/// The people of an identity-folder directory (LFW's layout, <c>name/name_nnnn.jpg</c>) who have two or more images and whom a pairs
/// file never names, with every same-person pair of their images. A model trained on the people a pairs file names (as
/// <c>eval lfw-protocol</c> trains) never sees them, so their same-person pairs score as unseen test people's do: LFW has 52 such
/// people, 133 images, 140 pairs. Each person weighs 1 in total: each of its n(n − 1)/2 pairs weighs 2/(n(n − 1)).
/// </summary>
internal sealed class UnseenPeople
{
    private UnseenPeople(IReadOnlyList<LfwPair> pairs)
    {
        var counts = pairs.CountBy(p => p.Name1, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        Pairs = pairs;
        People = pairs.Select(p => p.Name1).Distinct(StringComparer.Ordinal).ToList();
        Weights = pairs.Select(p => 1.0 / counts[p.Name1]).ToList();
    }

    /// <summary>The people, in order of their first pair.</summary>
    public IReadOnlyList<string> People { get; }

    /// <summary>Their same-person pairs.</summary>
    public IReadOnlyList<LfwPair> Pairs { get; }

    /// <summary>The weight of each pair, in <see cref="Pairs"/> order: 1 / (its person's pair count).</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>See <see cref="ReadLimits.MaxUnseenPairs"/>, where every reader's budget is named with its reason.</summary>
    public const long MaxPairs = ReadLimits.MaxUnseenPairs;

    /// <summary>
    /// The unseen people under <paramref name="imagesDirectory"/> for <paramref name="pairs"/>, in ordinal order of name, each person's
    /// pairs in order of image number; pairs carry <see cref="LfwPair.Fold"/> −1 and <see cref="LfwPair.Line"/> 0. Files that do not
    /// follow <c>name_nnnn.jpg</c> are ignored. None at all is a <see cref="MarginFaceException"/>.
    /// </summary>
    public static UnseenPeople Find(LfwPairs pairs, string imagesDirectory)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (!Directory.Exists(imagesDirectory)) throw new MarginFaceException($"{imagesDirectory}: images directory not found");
        var named = pairs.Pairs.SelectMany(p => new[] { p.Name1, p.Name2 }).ToHashSet(StringComparer.Ordinal);
        var list = new List<LfwPair>();
        long total = 0;
        foreach (var folder in Directory.EnumerateDirectories(imagesDirectory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            if (named.Contains(name)) continue;
            var numbers = LfwPairs.ImageNumbers(folder);
            if (numbers.Count < 2) continue;
            long count = (long)numbers.Count * (numbers.Count - 1) / 2;
            total += count;
            if (total > MaxPairs)
                throw new MarginFaceException($"{imagesDirectory}: the people outside {pairs.Source} have more than {MaxPairs} same-person pairs ({folder} alone {count})");
            for (int i = 0; i < numbers.Count; i++)
                for (int j = i + 1; j < numbers.Count; j++)
                    list.Add(new LfwPair(name, numbers[i], name, numbers[j], Same: true, Fold: -1, Line: 0));
        }
        if (list.Count == 0)
            throw new MarginFaceException($"{imagesDirectory}: no person with two or more images outside {pairs.Source}; a threshold from unseen people needs some");
        return FromPairs(list);
    }

    /// <summary>
    /// The people of the same-person <paramref name="pairs"/> (in order of first appearance), each weighing 1: each of a person's pairs
    /// weighs 1 / (that person's pair count), which is 2/(n(n − 1)) when the pairs are all of its n images'.
    /// </summary>
    public static UnseenPeople FromPairs(IReadOnlyList<LfwPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Any(p => !p.Same || p.Name1 != p.Name2)) throw new ArgumentException("every pair must be a same-person pair", nameof(pairs));
        return new UnseenPeople(pairs);
    }
}
