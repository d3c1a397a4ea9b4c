using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// ArcFace / additive angular margin (Deng et al. 2019): target logit s·cos(θ_y + m) when cos θ_y > cos(π − m),
/// else s·(cos θ_y − m·sin(π − m)); with easyMargin, s·cos(θ_y + m) when cos θ_y > 0, else s·cos θ_y.
/// Other logits s·cos θ_j.
/// </summary>
public sealed class ArcFaceHead : ScaledMarginHead, IAdditiveMargin
{
    private double m;

    /// <summary>An ArcFace head; s = 30, m = 0.5 rad by default (the paper uses s = 64 for large data sets).</summary>
    public ArcFaceHead(int features, int classes, double s = 30, double m = 0.5, bool easyMargin = false)
        : base(nameof(ArcFaceHead), features, classes, classes, s)
    {
        M = m;
        EasyMargin = easyMargin;
    }

    /// <summary>True: non-target logits are s·cos θ_j, so the fused logits path applies.</summary>
    protected internal override bool NonTargetIsScaledCosine => true;

    /// <summary>Additive angular margin m in radians, within [0, π).</summary>
    public double M
    {
        get => m;
        set => m = CheckAngle(value, nameof(m));
    }

    /// <summary>Apply the margin only where cos θ_y > 0 instead of using the InsightFace fallback.</summary>
    public bool EasyMargin { get; set; }

    /// <summary>
    /// When true, the margin is added as a constant: the target's gradient is that of s·cos θ_y (as InsightFace's
    /// arcface_torch does under no_grad). False (default) gives the exact gradient of the formula.
    /// </summary>
    public bool DetachMargin { get; set; }

    /// <summary>cos(θ_y + m), or the fallback/easy-margin form (see the class); with <see cref="DetachMargin"/> the margin is added as a constant.</summary>
    protected override Tensor ModifyTarget(Tensor cosTarget, Tensor embeddings)
    {
        var target = ArcMargin.Apply(cosTarget, m, EasyMargin);
        if (!DetachMargin) return target;
        using var delta = (target - cosTarget).detach();
        return cosTarget + delta;
    }
}
