using MarginFace.Losses.Mining;
using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// Triplet loss with in-batch mining over squared Euclidean distances D = <see cref="PairwiseDistance.SquaredEuclidean"/>:
/// ℓ(a, p, n) = max(0, D_ap − D_an + margin), for every anchor–positive pair (a ≠ p, same label) whose anchor has a negative.
/// <see cref="TripletMining.All"/>: mean over all valid triplets (a, p, n), zero-loss triplets included.
/// <see cref="TripletMining.Hard"/> (batch-hard, Hermans, Beyer, Leibe, 2017): per pair the closest negative, mean over pairs.
/// <see cref="TripletMining.SemiHard"/> (Schroff, Kalenichenko, Philbin, 2015, FaceNet): per pair the closest negative with
/// D_an &gt; D_ap, else the farthest negative, mean over pairs.
/// </summary>
/// <remarks>
/// Note that batch-hard here is per anchor–positive pair (every positive, the hardest negative), not Hermans et al.'s
/// per-anchor variant with the hardest positive. A batch with no valid triplet gives 0, still attached to the graph.
/// </remarks>
public sealed class BatchTripletLoss : nn.Module<Tensor, Tensor, Tensor>
{
    /// <param name="margin">Margin ≥ 0 (default 0.2).</param>
    /// <param name="mining">Negative selection (default semi-hard).</param>
    public BatchTripletLoss(double margin = 0.2, TripletMining mining = TripletMining.SemiHard) : base(nameof(BatchTripletLoss))
    {
        LossArguments.NonNegativeFinite(margin, nameof(margin));
        if (!Enum.IsDefined(mining))
            throw new ArgumentOutOfRangeException(nameof(mining), mining, "Unknown triplet mining mode.");
        Margin = margin;
        Mining = mining;
    }

    /// <summary>Margin α of max(0, d(a,p) − d(a,n) + α).</summary>
    public double Margin { get; }

    /// <summary>How triplets are chosen within the batch.</summary>
    public TripletMining Mining { get; }

    /// <param name="embeddings">[B, D] embeddings.</param>
    /// <param name="labels">[B] integer identity labels.</param>
    /// <returns>Scalar loss.</returns>
    public override Tensor forward(Tensor embeddings, Tensor labels)
    {
        LossArguments.Matrix(embeddings, nameof(embeddings));
        using var scope = NewDisposeScope();
        var d = PairwiseDistance.SquaredEuclidean(embeddings);
        var (a, p, n) = TripletMiner.Mine(d, labels, Mining);
        var b = embeddings.shape[0];
        var flat = d.reshape(-1);
        var dap = flat.index_select(0, a.mul(b).add(p));
        var dan = flat.index_select(0, a.mul(b).add(n));
        var loss = dap.sub(dan).add(Margin).clamp_min(0);
        var result = loss.numel() == 0 ? loss.sum() : loss.mean();
        return result.MoveToOuterDisposeScope();
    }
}
