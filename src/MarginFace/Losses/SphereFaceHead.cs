using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// SphereFace / A-Softmax (Liu et al. 2017) with the feature norm kept, as in the authors' Caffe code:
/// target logit |x|·(cos θ_y + (ψ(θ_y) − cos θ_y)/(1 + λ)), other logits |x|·cos θ_j, where
/// ψ(θ) = (−1)^k cos(mθ) − 2k, k = ⌊mθ/π⌋ (not differentiated), cos(mθ) by Chebyshev polynomials, and
/// λ = max(λ_min, λ_base·(1 + γ·t)^(−power)) anneals with the iteration t (incremented by each training forward).
/// </summary>
public sealed class SphereFaceHead : MarginHead
{
    private double m;
    private double lambdaBase;
    private double lambdaGamma;
    private double lambdaPower;
    private double lambdaMin;
    private long iteration;

    /// <summary>A SphereFace head; defaults are the authors' (m = 4, λ_base = 1000, γ = 0.12, power = 1, λ_min = 5).</summary>
    public SphereFaceHead(int features, int classes, double m = 4, double lambdaBase = 1000, double lambdaGamma = 0.12,
        double lambdaPower = 1, double lambdaMin = 5)
        : base(nameof(SphereFaceHead), features, classes, classes)
    {
        M = m;
        LambdaBase = lambdaBase;
        LambdaGamma = lambdaGamma;
        LambdaPower = lambdaPower;
        LambdaMin = lambdaMin;
    }

    /// <summary>Multiplicative angular margin m: an integer from 1 to 5.</summary>
    public double M
    {
        get => m;
        set
        {
            if (!double.IsFinite(value) || value != Math.Floor(value) || value < 1 || value > 5)
                throw new ArgumentException($"m must be an integer from 1 to 5, got {value}.", nameof(m));
            m = value;
        }
    }

    /// <summary>λ_base (≥ 0).</summary>
    public double LambdaBase { get => lambdaBase; set => lambdaBase = Check(value, nameof(lambdaBase), 0.0); }

    /// <summary>γ (≥ 0).</summary>
    public double LambdaGamma { get => lambdaGamma; set => lambdaGamma = Check(value, nameof(lambdaGamma), 0.0); }

    /// <summary>Annealing power (≥ 0).</summary>
    public double LambdaPower { get => lambdaPower; set => lambdaPower = Check(value, nameof(lambdaPower), 0.0); }

    /// <summary>Lower bound λ_min (≥ 0).</summary>
    public double LambdaMin { get => lambdaMin; set => lambdaMin = Check(value, nameof(lambdaMin), 0.0); }

    /// <summary>Iteration t used for λ by the next forward; a training forward uses it and then adds 1.</summary>
    public long Iteration
    {
        get => iteration;
        set => iteration = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Iteration), value, "Iteration must be ≥ 0.");
    }

    /// <summary>The iteration t under the key "iteration".</summary>
    public override IReadOnlyDictionary<string, double> GetExtraState() => new Dictionary<string, double> { ["iteration"] = iteration };

    /// <summary>Restores the iteration t from the key "iteration" (so λ resumes where it was); any other key or a fractional t is an <see cref="ArgumentException"/>.</summary>
    public override void SetExtraState(IReadOnlyDictionary<string, double> state)
    {
        foreach (var (key, value) in state)
            Iteration = key == "iteration" && value == Math.Floor(value) ? (long)value : throw new ArgumentException($"{nameof(SphereFaceHead)} has no state '{key}' = {value}.");
    }

    /// <summary>λ for the current <see cref="Iteration"/>: max(λ_min, λ_base·(1 + γ·t)^(−power)).</summary>
    public double CurrentLambda => Math.Max(lambdaMin, lambdaBase * Math.Pow(1.0 + lambdaGamma * iteration, -lambdaPower));

    /// <summary>cos(mθ) as the Chebyshev polynomial T_m(cos θ).</summary>
    internal static Tensor CosMultiple(Tensor c, int m) => m switch
    {
        1 => c.clone(),
        2 => 2.0 * c.pow(2) - 1.0,
        3 => 4.0 * c.pow(3) - 3.0 * c,
        4 => 8.0 * c.pow(4) - 8.0 * c.pow(2) + 1.0,
        5 => 16.0 * c.pow(5) - 20.0 * c.pow(3) + 5.0 * c,
        _ => throw new ArgumentOutOfRangeException(nameof(m)),
    };

    /// <summary>cos θ_y + (ψ(θ_y) − cos θ_y)/(1 + λ); advances the iteration when training.</summary>
    protected override Tensor ModifyTarget(Tensor cosTarget, Tensor embeddings)
    {
        var lambda = CurrentLambda;
        if (training) iteration++;
        using var scope = NewDisposeScope();
        Tensor k;
        using (no_grad())
            k = (AngularMath.Angle(cosTarget.detach()) * (m / Math.PI)).floor();
        var sign = 1.0 - 2.0 * k.remainder(2.0);
        var psi = sign * CosMultiple(cosTarget, (int)m) - 2.0 * k;
        return (cosTarget + (psi - cosTarget) / (1.0 + lambda)).MoveToOuterDisposeScope();
    }

    /// <summary>|x|·logits: SphereFace keeps the feature norm instead of a fixed s.</summary>
    protected override Tensor Scale(Tensor logits, Tensor embeddings)
    {
        using var norm = AngularMath.Norm(embeddings, 1);
        return logits * norm;
    }
}
