using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// MagFace (Meng et al. 2021): with a = clamp(|x|, l_a, u_a) and the margin m(a) = l_m + (u_m − l_m)(a − l_a)/(u_a − l_a),
/// target logit s·cos(θ_y + m(a)) where cos θ_y > cos(π − m(a)), else s·(cos θ_y − m(a)·sin(π − m(a))) (with easyMargin:
/// s·cos(θ_y + m(a)) where cos θ_y > 0, else s·cos θ_y); other logits s·cos θ_j. Each forward sets
/// <see cref="MarginHead.AuxiliaryLoss"/> to λ_g·mean(g(a)), g(a) = 1/a + a/u_a², to be added to the cross-entropy.
/// Gradients flow through a into both the margin and the regulariser.
/// </summary>
public sealed class MagFaceHead : ScaledMarginHead
{
    private double la;
    private double ua;
    private double lm;
    private double um;
    private double lambdaG;

    /// <summary>A MagFace head; defaults are the paper's (s = 64, l_a = 10, u_a = 110, l_m = 0.45, u_m = 0.8, λ_g = 35).</summary>
    public MagFaceHead(int features, int classes, double s = 64, double la = 10, double ua = 110, double lm = 0.45,
        double um = 0.8, double lambdaG = 35, bool easyMargin = false)
        : base(nameof(MagFaceHead), features, classes, classes, s)
    {
        SetBounds(la, ua, lm, um);
        LambdaG = lambdaG;
        EasyMargin = easyMargin;
    }

    /// <summary>True: non-target logits are s·cos θ_j, so the fused logits path applies.</summary>
    protected internal override bool NonTargetIsScaledCosine => true;

    /// <summary>Lower feature-norm bound l_a (> 0).</summary>
    public double La => la;

    /// <summary>Upper feature-norm bound u_a (> l_a).</summary>
    public double Ua => ua;

    /// <summary>Margin at l_a.</summary>
    public double Lm => lm;

    /// <summary>Margin at u_a.</summary>
    public double Um => um;

    /// <summary>Weight λ_g of the regulariser inside <see cref="MarginHead.AuxiliaryLoss"/> (≥ 0).</summary>
    public double LambdaG { get => lambdaG; set => lambdaG = Check(value, nameof(lambdaG), 0.0); }

    /// <summary>Apply the margin only where cos θ_y > 0.</summary>
    public bool EasyMargin { get; set; }

    /// <summary>Sets l_a, u_a, l_m, u_m together: 0 &lt; l_a &lt; u_a, 0 ≤ l_m ≤ u_m &lt; π.</summary>
    public void SetBounds(double la, double ua, double lm, double um)
    {
        Check(la, nameof(la));
        if (la <= 0) throw new ArgumentOutOfRangeException(nameof(la), la, "la must be > 0.");
        Check(ua, nameof(ua));
        if (ua <= la) throw new ArgumentOutOfRangeException(nameof(ua), ua, "ua must be > la.");
        Check(lm, nameof(lm), 0.0, Math.PI);
        CheckAngle(um, nameof(um), lm);
        (this.la, this.ua, this.lm, this.um) = (la, ua, lm, um);
    }

    /// <summary>cos(θ_y + m(a)) with the norm-dependent margin m(a) (see the class); also sets the regulariser <see cref="MarginHead.AuxiliaryLoss"/>.</summary>
    protected override Tensor ModifyTarget(Tensor cosTarget, Tensor embeddings)
    {
        using var scope = NewDisposeScope();
        var a = AngularMath.Norm(embeddings, 1).clamp(la, ua);
        var margin = (a - la) * ((um - lm) / (ua - la)) + lm;
        var sin = AngularMath.Sin(cosTarget);
        var phi = cosTarget * margin.cos() - sin * margin.sin();
        var target = EasyMargin
            ? where(cosTarget > 0.0, phi, cosTarget)
            : where(cosTarget > (Math.PI - margin).cos(), phi, cosTarget - (Math.PI - margin).sin() * margin);
        var g = (a.reciprocal() + a / (ua * ua)).mean() * lambdaG;
        AuxiliaryLoss = g.MoveToOuterDisposeScope();
        return target.MoveToOuterDisposeScope();
    }
}
