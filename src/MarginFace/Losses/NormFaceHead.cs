namespace MarginFace.Losses;

/// <summary>NormFace (Wang et al. 2017): logits_j = s · cos θ_j, no margin.</summary>
public sealed class NormFaceHead : ScaledMarginHead
{
    /// <summary>A NormFace head for <paramref name="classes"/> classes of <paramref name="features"/>-D embeddings; s = 16 by default.</summary>
    public NormFaceHead(int features, int classes, double s = 16)
        : base(nameof(NormFaceHead), features, classes, classes, s) { }

    /// <summary>True: logits are s·cos θ_j, so the fused logits path applies.</summary>
    protected internal override bool NonTargetIsScaledCosine => true;
}
