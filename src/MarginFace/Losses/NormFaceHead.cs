namespace MarginFace.Losses;

/// <summary>NormFace (Wang et al. 2017): logits_j = s · cos θ_j, no margin.</summary>
public sealed class NormFaceHead : ScaledMarginHead
{
    public NormFaceHead(int features, int classes, double s = 16)
        : base(nameof(NormFaceHead), features, classes, classes, s) { }

    protected internal override bool NonTargetIsScaledCosine => true;
}
