using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// Triplet loss on given triplets (Schroff, Kalenichenko, Philbin, 2015, "FaceNet"):
/// L = mean_i max(0, ‖a_i − p_i‖² − ‖a_i − n_i‖² + α), squared Euclidean distances, margin α.
/// </summary>
public sealed class TripletLoss : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    /// <param name="margin">Margin α ≥ 0 (FaceNet uses 0.2 on unit-norm embeddings).</param>
    public TripletLoss(double margin = 0.2) : base(nameof(TripletLoss))
    {
        LossArguments.NonNegativeFinite(margin, nameof(margin));
        Margin = margin;
    }

    /// <summary>Margin α of max(0, d(a,p) − d(a,n) + α).</summary>
    public double Margin { get; }

    /// <param name="anchor">[B, D] anchors.</param>
    /// <param name="positive">[B, D] same-identity embeddings.</param>
    /// <param name="negative">[B, D] different-identity embeddings.</param>
    /// <returns>Scalar mean loss (0 for an empty batch, still attached to the graph).</returns>
    public override Tensor forward(Tensor anchor, Tensor positive, Tensor negative)
    {
        LossArguments.Matrix(anchor, nameof(anchor));
        LossArguments.SameShape(positive, anchor, nameof(positive), nameof(anchor));
        LossArguments.SameShape(negative, anchor, nameof(negative), nameof(anchor));
        using var scope = NewDisposeScope();
        var dap = anchor.sub(positive).square().sum(1);
        var dan = anchor.sub(negative).square().sum(1);
        var loss = dap.sub(dan).add(Margin).clamp_min(0);
        var result = anchor.shape[0] == 0 ? loss.sum() : loss.mean();
        return result.MoveToOuterDisposeScope();
    }
}
