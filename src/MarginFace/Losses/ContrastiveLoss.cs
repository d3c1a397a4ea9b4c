using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// Contrastive loss (Hadsell, Chopra, LeCun, 2006, "Dimensionality Reduction by Learning an Invariant Mapping"):
/// L = mean_i [(1 − t_i)·d_i² + t_i·max(0, m − d_i)²], d_i = ‖x1_i − x2_i‖₂, t_i = 1 for a dissimilar
/// (different-identity) pair and 0 for a similar one.
/// </summary>
/// <remarks>
/// d² is summed directly from the differences (no square root for similar pairs). For the hinge term d = √(d²) is
/// taken only where d² &gt; 0 and defined as 0 with zero gradient where d² = 0, so identical pairs give finite
/// gradients; everywhere else value and gradient are exact.
/// </remarks>
public sealed class ContrastiveLoss : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    /// <param name="margin">Margin m ≥ 0 for dissimilar pairs (default 2).</param>
    public ContrastiveLoss(double margin = 2) : base(nameof(ContrastiveLoss))
    {
        LossArguments.NonNegativeFinite(margin, nameof(margin));
        Margin = margin;
    }

    /// <summary>Margin m: different-identity pairs are pushed until their distance reaches m.</summary>
    public double Margin { get; }

    /// <param name="x1">[B, D] first embeddings.</param>
    /// <param name="x2">[B, D] second embeddings.</param>
    /// <param name="dissimilar">[B] with values 0 (same identity) or 1 (different identity); bool, integer or floating dtype.</param>
    /// <returns>Scalar mean loss (0 for an empty batch, still attached to the graph).</returns>
    public override Tensor forward(Tensor x1, Tensor x2, Tensor dissimilar)
    {
        LossArguments.Matrix(x1, nameof(x1));
        LossArguments.SameShape(x2, x1, nameof(x2), nameof(x1));
        ArgumentNullException.ThrowIfNull(dissimilar, nameof(dissimilar));
        if (dissimilar.dim() != 1 || dissimilar.shape[0] != x1.shape[0])
            throw new ArgumentException(
                $"dissimilar must have shape [{x1.shape[0]}], got [{string.Join(", ", dissimilar.shape)}].", nameof(dissimilar));
        if (torch.is_complex(dissimilar.dtype))
            throw new ArgumentException($"dissimilar must be bool, integer or floating, got {dissimilar.dtype}.", nameof(dissimilar));

        using var scope = NewDisposeScope();
        var t = dissimilar.detach().to(x1.dtype);
        if (t.numel() > 0 && t.eq(0).logical_or(t.eq(1)).all().item<bool>() == false)
            throw new ArgumentException("dissimilar must contain only 0 and 1.", nameof(dissimilar));

        var sq = x1.sub(x2).square().sum(1);
        var positive = sq.gt(0);
        var safeSq = where(positive, sq, ones_like(sq));
        var d = where(positive, safeSq.sqrt(), zeros_like(sq));
        var hinge = d.neg().add(Margin).clamp_min(0).square();
        var loss = t.neg().add(1).mul(sq).add(t.mul(hinge));
        var result = x1.shape[0] == 0 ? loss.sum() : loss.mean();
        return result.MoveToOuterDisposeScope();
    }
}
