using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// AdaCos (Zhang et al. 2019): logits s·cos θ_j without margin, s starting at √2·ln(C − 1) (the fixed AdaCos).
/// With <see cref="Dynamic"/>, each training forward first sets s ← ln(B_avg) / cos(min(π/4, θ_med)), where B_avg is
/// the batch mean of Σ_{j≠y} exp(s·cos θ_j) under the current s and θ_med the median target angle.
/// </summary>
public sealed class AdaCosHead : ScaledMarginHead
{
    /// <summary>An AdaCos head over <paramref name="classes"/> (≥ 2) classes of <paramref name="features"/>-D embeddings; s starts at √2·ln(C − 1) and, when <paramref name="dynamic"/>, adapts each training batch.</summary>
    public AdaCosHead(int features, int classes, bool dynamic = true)
        : base(nameof(AdaCosHead), features, classes, classes, FixedScale(classes))
    {
        Dynamic = dynamic;
    }

    /// <summary>Update s from each training batch (dynamic AdaCos); false keeps s fixed.</summary>
    public bool Dynamic { get; set; }

    /// <summary>The fixed AdaCos scale √2·ln(C − 1).</summary>
    public static double FixedScale(int classes)
    {
        if (classes < 2)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "AdaCos needs at least 2 classes.");
        return Math.Sqrt(2.0) * Math.Log(classes - 1);
    }

    /// <summary>s·cos θ_j for every class, first updating s from the batch when training with <see cref="Dynamic"/>.</summary>
    protected override Tensor Logits(Tensor embeddings, Tensor labels)
    {
        var cos = Cosine(embeddings);
        RememberCosine(cos);
        if (training && Dynamic && labels.shape[0] > 0)
            UpdateScale(cos, labels);
        return Scale(cos, embeddings);
    }

    /// <summary>The current scale s under the key "s".</summary>
    public override IReadOnlyDictionary<string, double> GetExtraState() => new Dictionary<string, double> { ["s"] = S };

    /// <summary>Restores s from the key "s" (a checkpoint of the dynamic scale); any other key is an <see cref="ArgumentException"/>.</summary>
    public override void SetExtraState(IReadOnlyDictionary<string, double> state)
    {
        foreach (var (key, value) in state)
            S = key == "s" ? value : throw new ArgumentException($"{nameof(AdaCosHead)} has no state '{key}'.");
    }

    private void UpdateScale(Tensor cos, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var c = cos.detach().to(ScalarType.Float64);
        var index = labels.unsqueeze(1);
        var scaled = (c * S).scatter(1, index, full_like(index, double.NegativeInfinity, dtype: ScalarType.Float64));
        var perSample = scaled.logsumexp(1);
        var logBAvg = perSample.logsumexp(0).item<double>() - Math.Log(labels.shape[0]);
        var thetaMedian = AngularMath.Angle(c.gather(1, index)).median().item<double>();
        var next = logBAvg / Math.Cos(Math.Min(Math.PI / 4, thetaMedian));
        if (double.IsFinite(next))
            S = Math.Max(0.0, next);
    }
}
