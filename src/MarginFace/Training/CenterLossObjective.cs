using TorchSharp.Modules;
using MarginFace.Losses;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// Softmax plus centre loss (Wen et al. 2016): L = CE(x Wᵀ, y) + λ·(1/2B) Σ|x_i − c_{y_i}|². The centres are not learned by the
/// main optimiser but by the paper's rule, c_j ← c_j − α Σ_{i:y_i=j}(c_j − x_i)/(1 + n_j), through their own SGD with lr α.
/// </summary>
public sealed class CenterLossObjective : HeadObjective
{
    private readonly CenterLoss centerLoss;
    private readonly OptimizerHelper centerOptimizer;
    private Tensor? lastLabels;

    /// <summary>Softmax over <paramref name="classes"/> classes plus centre loss weighted by <paramref name="lambda"/>, the centres moved at rate <paramref name="alpha"/>.</summary>
    public CenterLossObjective(int features, int classes, double lambda = 0.01, double alpha = 0.5)
        : base(new SoftmaxHead(features, classes))
    {
        if (!(lambda > 0) || !double.IsFinite(lambda)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be finite and > 0.");
        Lambda = lambda;
        centerLoss = new CenterLoss(features, classes);
        centerOptimizer = (OptimizerHelper)centerLoss.CenterOptimizer(alpha);
    }

    /// <summary>Weight λ of the centre term.</summary>
    public double Lambda { get; }

    /// <summary>The softmax head and the centres: both are moved, checkpointed and switched train/eval.</summary>
    public override IReadOnlyList<nn.Module> Modules => [Head, centerLoss];

    /// <summary>Only the head's weights go to the main optimiser; the centres have their own.</summary>
    public override IEnumerable<Parameter> Parameters => Head.parameters();

    /// <summary>The centres' SGD with learning rate α (the paper's update rule).</summary>
    public override IReadOnlyList<OptimizerHelper> OwnOptimizers => [centerOptimizer];

    /// <summary>CE(x Wᵀ, y) + λ·(1/2B) Σ|x_i − c_{y_i}|².</summary>
    public override Tensor Compute(Tensor embeddings, Tensor labels)
    {
        var softmax = base.Compute(embeddings, labels);
        lastLabels = labels;
        return softmax + centerLoss.forward(embeddings, labels) * Lambda;
    }

    /// <summary>Steps the centres' own optimiser after the main step.</summary>
    public override void AfterStep()
    {
        if (lastLabels is not null) centerLoss.RescaleCenterGradients(lastLabels, Lambda);
        lastLabels = null;
        base.AfterStep();
    }
}
