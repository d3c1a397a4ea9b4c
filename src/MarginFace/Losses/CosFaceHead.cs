using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>CosFace / AM-Softmax (Wang et al. 2018): logits_j = s · (cos θ_j − m·[j = y]).</summary>
public sealed class CosFaceHead : ScaledMarginHead, IAdditiveMargin
{
    private double m;

    /// <summary>A CosFace head; s = 30, m = 0.4 by default (the paper's m = 0.35 with s = 64 at scale).</summary>
    public CosFaceHead(int features, int classes, double s = 30, double m = 0.4)
        : base(nameof(CosFaceHead), features, classes, classes, s)
    {
        M = m;
    }

    /// <summary>True: non-target logits are s·cos θ_j, so the fused logits path applies.</summary>
    protected internal override bool NonTargetIsScaledCosine => true;

    /// <summary>Additive cosine margin m (finite).</summary>
    public double M
    {
        get => m;
        set => m = Check(value, nameof(m));
    }

    /// <summary>cos θ_y − m.</summary>
    protected override Tensor ModifyTarget(Tensor cosTarget, Tensor embeddings) => cosTarget - m;
}
