using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// Numerically safe building blocks for the heads: L2 norms that survive huge, tiny and zero vectors, and
/// sin θ / θ from cos θ with finite gradients at cos θ = ±1.
/// </summary>
internal static class AngularMath
{
    /// <summary>Below this norm a vector is treated as zero when normalising.</summary>
    public const double NormEpsilon = 1e-12;

    /// <summary>
    /// ‖x‖ along <paramref name="dim"/> (kept), computed as c·‖x/c‖ with c = max|x| detached, so squares neither
    /// overflow nor underflow. The gradient is exactly x/‖x‖ (c is a constant factor) and 0 for a zero vector.
    /// </summary>
    public static Tensor Norm(Tensor x, long dim)
    {
        using var scope = NewDisposeScope();
        using var c = x.detach().abs().amax(new[] { dim }, keepdim: true).clamp_min(1e-30);
        using var scaled = x / c;
        using var n = VectorNorm(scaled, dim, keepdim: true);
        return (n * c).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>linalg.vector_norm(x, 2, [dim])</c> with no garbage collection during the call: TorchSharp 0.107 passes the order
    /// as a <c>Scalar</c> that nothing references once its handle is read, and a collection meanwhile lets the finalizer free
    /// it under libtorch ("Unknown scalar type", seen once in CI from a head test). Inside a training step's
    /// <see cref="Runtime.NoCollectionSpan"/> this opens nothing.
    /// </summary>
    private static Tensor VectorNorm(Tensor x, long dim, bool keepdim)
    {
        using var quiet = Runtime.NoCollectionSpan.Begin(1L << 20);
        return linalg.vector_norm(x, 2, new[] { dim }, keepdim: keepdim);
    }

    /// <summary>x / max(‖x‖, ε) along <paramref name="dim"/>: unit rows, zero rows stay zero.</summary>
    public static Tensor Normalize(Tensor x, long dim)
    {
        using var scope = NewDisposeScope();
        var n = Norm(x, dim).clamp_min(NormEpsilon);
        return (x / n).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// ‖w_j‖ of each row of w [C,D] as a vector [C], in one pass over w (<c>vector_norm</c>); where a norm lies outside
    /// the range in which squares neither overflow nor underflow (also for zero rows), it is recomputed by
    /// <see cref="Norm"/>. Gradient w_j/‖w_j‖, 0 for a zero row.
    /// </summary>
    public static Tensor RowNorms(Tensor w)
    {
        using var scope = NewDisposeScope();
        var n = VectorNorm(w, 1, keepdim: false);
        if (n.shape[0] == 0) return n.MoveToOuterDisposeScope();
        var (low, high) = w.dtype == ScalarType.Float64 ? (1e-150, 1e150) : (1e-18, 1e18);
        bool safe;
        using (no_grad())
            safe = n.min().to(ScalarType.Float64).item<double>() >= low && n.max().to(ScalarType.Float64).item<double>() <= high;
        return (safe ? n : Norm(w, 1).squeeze(1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Unclamped cosine [B,C] between the rows of x [B,D] and of w [C,D]: (x/‖x‖)·wᵀ with column j scaled by
    /// 1/max(‖w_j‖, ε). The normalised w [C,D] is never formed: one product and one column scaling, so the memory
    /// traffic over w is that of the product and of its row norms (forward and backward).
    /// </summary>
    public static Tensor ScaledCosine(Tensor x, Tensor w)
    {
        using var scope = NewDisposeScope();
        var (product, inverseNorms) = CosineProduct(x, w);
        return (product * inverseNorms).MoveToOuterDisposeScope();
    }

    /// <summary>The two factors of <see cref="ScaledCosine"/>: P = (x/‖x‖)·wᵀ [B,C] and 1/max(‖w_j‖, ε) [C].</summary>
    public static (Tensor Product, Tensor InverseNorms) CosineProduct(Tensor x, Tensor w)
    {
        using var scope = NewDisposeScope();
        var (product, inverseNorms) = UnitCosineProduct(Normalize(x, 1), w);
        return (product.MoveToOuterDisposeScope(), inverseNorms.MoveToOuterDisposeScope());
    }

    /// <summary><see cref="CosineProduct"/> of rows already normalised, x̂ = x/‖x‖: P = x̂·wᵀ [B,C] and 1/max(‖w_j‖, ε) [C].</summary>
    public static (Tensor Product, Tensor InverseNorms) UnitCosineProduct(Tensor unitX, Tensor w)
    {
        using var scope = NewDisposeScope();
        var inverseNorms = RowNorms(w).clamp_min(NormEpsilon).reciprocal();
        return (unitX.matmul(w.t()).MoveToOuterDisposeScope(), inverseNorms.MoveToOuterDisposeScope());
    }

    /// <summary>Cosine of the angle between each row of <paramref name="x"/> and each row of <paramref name="w"/>, clamped to [-1, 1].</summary>
    public static Tensor Cosine(Tensor x, Tensor w)
    {
        using var scope = NewDisposeScope();
        return ScaledCosine(x, w).clamp(-1.0, 1.0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// sin θ = √((1 − c)(1 + c)) for c = cos θ ∈ [-1, 1]. Where the radicand is 0 (c = ±1) the value is 0 and the
    /// gradient 0 instead of ∞·0 = NaN; elsewhere the gradient is exactly −c / sin θ.
    /// </summary>
    public static Tensor Sin(Tensor cos)
    {
        using var scope = NewDisposeScope();
        var radicand = (1.0 - cos) * (1.0 + cos);
        var inside = radicand > 0.0;
        var one = ones_like(radicand);
        var safeRadicand = where(inside, radicand, one);
        var zero = zeros_like(radicand);
        return where(inside, safeRadicand.sqrt(), zero).MoveToOuterDisposeScope();
    }

    /// <summary>θ = atan2(sin θ, cos θ) ∈ [0, π] with gradient −1/sin θ, and 0 (not NaN) at cos θ = ±1.</summary>
    public static Tensor Angle(Tensor cos)
    {
        using var scope = NewDisposeScope();
        var sin = Sin(cos);
        return sin.atan2(cos).MoveToOuterDisposeScope();
    }
}
