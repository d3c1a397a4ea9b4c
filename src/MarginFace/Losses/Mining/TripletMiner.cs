using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Losses.Mining;

/// <summary>
/// Chooses triplets (anchor, positive, negative) inside a labelled batch from a distance matrix, for
/// <see cref="TripletMining.All"/>, batch-hard (Hermans, Beyer, Leibe, 2017) or semi-hard (Schroff et al., 2015) mining.
/// Every anchor–positive pair (a ≠ p, y_a = y_p) whose anchor has at least one negative (y_n ≠ y_a) is used.
/// </summary>
internal static class TripletMiner
{
    /// <summary>Mines triplet indices; runs without gradient. Ties go to the lowest index; NaN and +inf distances count as the largest finite value.</summary>
    /// <param name="distances">[B, B] distance matrix (e.g. <see cref="PairwiseDistance.SquaredEuclidean"/>).</param>
    /// <param name="labels">[B] integer labels.</param>
    /// <param name="mining">Selection rule.</param>
    /// <returns>
    /// Three int64 index tensors of equal length T: for <see cref="TripletMining.All"/> one entry per valid triplet,
    /// otherwise one per anchor–positive pair (row-major order of (a, p)). T = 0 when there is no valid pair or no negative.
    /// </returns>
    public static (Tensor Anchor, Tensor Positive, Tensor Negative) Mine(Tensor distances, Tensor labels, TripletMining mining)
    {
        ArgumentNullException.ThrowIfNull(distances, nameof(distances));
        Losses.LossArguments.Floating(distances, nameof(distances));
        if (distances.dim() != 2 || distances.shape[0] != distances.shape[1])
            throw new ArgumentException(
                $"distances must be square [B, B], got [{string.Join(", ", distances.shape)}].", nameof(distances));
        if (!Enum.IsDefined(mining))
            throw new ArgumentOutOfRangeException(nameof(mining), mining, "Unknown triplet mining mode.");

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var b = distances.shape[0];
        var y = Losses.LossArguments.Labels(labels, b, nameof(labels));
        // Real distances must stay strictly inside the ±inf used for masking, even after float overflow.
        var max = finfo(distances.dtype).max;
        var d = distances.detach().nan_to_num(max, max, -max);
        var same = y.unsqueeze(1).eq(y.unsqueeze(0));
        var negMask = same.logical_not();
        var eye = torch.eye(b, dtype: ScalarType.Bool, device: d.device);
        var posMask = same.logical_and(eye.logical_not()).logical_and(negMask.any(1, keepdim: true));

        var pairs = posMask.nonzero();
        var a = pairs.select(1, 0);
        var p = pairs.select(1, 1);
        var anchorNeg = negMask.index_select(0, a);

        Tensor ra, rp, rn;
        switch (mining)
        {
            case TripletMining.All:
            {
                var hits = anchorNeg.nonzero();
                var pairIndex = hits.select(1, 0);
                ra = a.index_select(0, pairIndex);
                rp = p.index_select(0, pairIndex);
                rn = hits.select(1, 1);
                break;
            }
            case TripletMining.Hard:
            {
                var dan = d.index_select(0, a);
                rn = dan.masked_fill(anchorNeg.logical_not(), double.PositiveInfinity).argmin(1);
                ra = a;
                rp = p;
                break;
            }
            default:
            {
                var dan = d.index_select(0, a);
                var dap = dan.gather(1, p.unsqueeze(1));
                var semi = anchorNeg.logical_and(dan.gt(dap));
                var closestSemi = dan.masked_fill(semi.logical_not(), double.PositiveInfinity).argmin(1);
                var farthest = dan.masked_fill(anchorNeg.logical_not(), double.NegativeInfinity).argmax(1);
                rn = where(semi.any(1), closestSemi, farthest);
                ra = a;
                rp = p;
                break;
            }
        }
        return (ra.contiguous().MoveToOuterDisposeScope(), rp.contiguous().MoveToOuterDisposeScope(),
            rn.contiguous().MoveToOuterDisposeScope());
    }
}
