using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// Center loss (Wen, Zhang, Li, Qiao, 2016, "A Discriminative Feature Learning Approach for Deep Face Recognition"):
/// L_C = 1/(2B) · Σ_i ‖x_i − c_{y_i}‖², with learnable class centres <see cref="Centers"/> [C, D].
/// </summary>
/// <remarks>
/// <para>The plain gradient is ∂L_C/∂c_j = (1/B) Σ_{i: y_i = j} (c_j − x_i), so plain SGD with learning rate α on
/// <see cref="Centers"/> moves c_j by −(α/B) Σ_{i: y_i = j} (c_j − x_i).</para>
/// <para>The paper instead updates c_j ← c_j − α·Δc_j with Δc_j = Σ_{i: y_i = j} (c_j − x_i) / (1 + n_j), n_j = #{i: y_i = j}.
/// To get exactly that rule: train the centres with their own optimizer, <see cref="CenterOptimizer"/> (plain SGD,
/// lr = α), and after backward() call <see cref="RescaleCenterGradients"/> with the weight λ of this loss in the total
/// objective (it maps the gradient λ/B Σ (c_j − x_i) to Δc_j, i.e. multiplies row j by B / (λ (1 + n_j))).</para>
/// </remarks>
public sealed class CenterLoss : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "centers")]
    private Parameter _centers;

    /// <param name="features">Embedding size D.</param>
    /// <param name="classes">Number of classes C.</param>
    /// <param name="seed">Optional seed for the N(0, 1) initial centres.</param>
    public CenterLoss(int features, int classes, long? seed = null) : base(nameof(CenterLoss))
    {
        LossArguments.Positive(features, nameof(features));
        LossArguments.Positive(classes, nameof(classes));
        Features = features;
        Classes = classes;
        using var gen = seed is long s ? new Generator((ulong)s) : null;
        using var init = randn(new long[] { classes, features }, generator: gen);
        _centers = new Parameter(init.clone());
        RegisterComponents();
    }

    /// <summary>Embedding size D of the centres.</summary>
    public int Features { get; }

    /// <summary>Number of classes C (rows of the centre matrix).</summary>
    public int Classes { get; }

    /// <summary>Class centres [C, D]; follows the module's dtype and device.</summary>
    public Parameter Centers => _centers;

    /// <param name="x">[B, D] features, same dtype as <see cref="Centers"/>.</param>
    /// <param name="labels">[B] integer class indices in [0, C).</param>
    /// <returns>Scalar loss (0 for an empty batch, still attached to the graph).</returns>
    public override Tensor forward(Tensor x, Tensor labels)
    {
        LossArguments.Matrix(x, nameof(x));
        if (x.shape[1] != Features)
            throw new ArgumentException($"x must have {Features} features, got shape [{string.Join(", ", x.shape)}].", nameof(x));
        if (x.dtype != _centers.dtype)
            throw new ArgumentException($"x has dtype {x.dtype} but Centers has dtype {_centers.dtype}; move the module with .to().", nameof(x));
        using var scope = NewDisposeScope();
        var y = LossArguments.Labels(labels, x.shape[0], nameof(labels), Classes);
        var c = _centers.index_select(0, y);
        var sum = x.sub(c).square().sum();
        return sum.div(2.0 * Math.Max(1L, x.shape[0])).MoveToOuterDisposeScope();
    }

    /// <summary>Plain SGD (no momentum, no weight decay) over <see cref="Centers"/> only, with learning rate α.</summary>
    public optim.Optimizer CenterOptimizer(double alpha)
    {
        LossArguments.NonNegativeFinite(alpha, nameof(alpha));
        return optim.SGD(new[] { _centers }, alpha);
    }

    /// <summary>
    /// Rescales <c>Centers.grad</c> in place so that one SGD step with lr = α applies the paper's update
    /// c_j ← c_j − α Σ_{i: y_i = j} (c_j − x_i) / (1 + n_j). Call after backward() of λ·L_C (with this batch's
    /// <paramref name="labels"/>), before the centre optimizer's step; the centre gradient must come only from this loss.
    /// </summary>
    /// <param name="labels">The [B] labels passed to <see cref="forward"/>.</param>
    /// <param name="lambda">Weight λ &gt; 0 of this loss in the objective that was back-propagated.</param>
    public void RescaleCenterGradients(Tensor labels, double lambda = 1)
    {
        if (!double.IsFinite(lambda) || lambda <= 0)
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be finite and > 0.");
        ArgumentNullException.ThrowIfNull(labels, nameof(labels));
        using var scope = NewDisposeScope();
        var grad = _centers.grad
            ?? throw new InvalidOperationException("Centers.grad is empty: call backward() on the loss first.");
        using var noGrad = no_grad();
        var y = LossArguments.Labels(labels, labels.numel(), nameof(labels), Classes);
        var counts = bincount(y, minlength: Classes).to(grad.dtype);
        var factor = counts.add(1).mul(lambda).reciprocal().mul(Math.Max(1L, y.shape[0]));
        grad.mul_(factor.unsqueeze(1));
    }
}
