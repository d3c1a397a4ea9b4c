namespace MarginFace.Losses.Mining;

/// <summary>
/// How <see cref="TripletMiner"/> picks negatives for each anchor–positive pair (a ≠ p, same label) of a batch.
/// </summary>
public enum TripletMining
{
    /// <summary>Every negative of the anchor: all valid triplets (a, p, n).</summary>
    All,

    /// <summary>Batch-hard (Hermans, Beyer, Leibe, 2017): the closest negative to the anchor, n = argmin d(a, n).</summary>
    Hard,

    /// <summary>
    /// Semi-hard (Schroff et al., 2015, FaceNet): the closest negative farther than the positive,
    /// n = argmin {d(a, n) : d(a, n) &gt; d(a, p)}; if there is none, the farthest negative, argmax d(a, n).
    /// </summary>
    SemiHard,
}
