using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// A <see cref="MarginHead"/> whose logits are s times the (margin-modified) cosine, as in NormFace
/// (Wang et al. 2017) and every normalised-softmax head after it.
/// </summary>
public abstract class ScaledMarginHead : MarginHead
{
    private double s;

    /// <summary>Passes the weights' shape to <see cref="MarginHead"/> and sets the scale <paramref name="s"/>.</summary>
    protected ScaledMarginHead(string name, int features, int classes, int weightRows, double s)
        : base(name, features, classes, weightRows)
    {
        S = s;
    }

    /// <summary>Scale s (finite, ≥ 0).</summary>
    public double S
    {
        get => s;
        set => s = Check(value, nameof(s), 0.0);
    }

    /// <summary>s·logits.</summary>
    protected override Tensor Scale(Tensor logits, Tensor embeddings) => logits * s;

    /// <summary>
    /// True for heads whose non-target logits are s·cos θ_j (no <see cref="MarginHead.ModifyNonTarget"/>, cosine from the
    /// one weight row of each class): their forward takes the fused path of <see cref="Logits"/>.
    /// </summary>
    protected internal virtual bool NonTargetIsScaledCosine => false;

    /// <summary>
    /// For <see cref="NonTargetIsScaledCosine"/> heads, the logits straight from the product P = (x/‖x‖)·Wᵀ: s·P_bj/‖W_j‖ for
    /// every column in one pass (the cosine matrix is never formed), then the target column replaced by
    /// s·ModifyTarget(clamp(P_by/‖W_y‖, −1, 1)). The same values as the general pipeline, except that a non-target cosine is
    /// not clamped (it exceeds 1 in magnitude by rounding only). Other heads take the general pipeline.
    /// </summary>
    protected override Tensor Logits(Tensor embeddings, Tensor labels)
    {
        if (!NonTargetIsScaledCosine) return base.Logits(embeddings, labels);
        using var scope = NewDisposeScope();
        var (product, inverseNorms) = AngularMath.CosineProduct(embeddings, Weight);
        var logits = LogitsFromProduct(product, inverseNorms, labels, embeddings);
        if (AuxiliaryLoss is { IsInvalid: false } auxiliary) auxiliary.MoveToOuterDisposeScope();
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The fused path of <see cref="Logits"/> from P = (x/‖x‖)·Wᵀ [B,C'] and 1/‖W_j‖ [C'] for labels [B] indexing their
    /// columns (all classes, or Partial FC's sample); only for <see cref="NonTargetIsScaledCosine"/> heads.
    /// </summary>
    protected internal Tensor LogitsFromProduct(Tensor product, Tensor inverseNorms, Tensor labels, Tensor embeddings)
    {
        if (!NonTargetIsScaledCosine) throw new InvalidOperationException($"{GetType().Name} modifies its non-target cosines; use LogitsFromCosine.");
        using var scope = NewDisposeScope();
        var logits = product * (inverseNorms * s);
        RememberPredictions(logits);
        var index = labels.unsqueeze(1);
        var cosTarget = (product.gather(1, index) * inverseNorms.index_select(0, labels).unsqueeze(1)).clamp(-1.0, 1.0);
        var target = Scale(ModifyTarget(cosTarget, embeddings), embeddings);
        logits.scatter_(1, index, target);
        if (AuxiliaryLoss is { IsInvalid: false } auxiliary) auxiliary.MoveToOuterDisposeScope();
        return logits.MoveToOuterDisposeScope();
    }
}
