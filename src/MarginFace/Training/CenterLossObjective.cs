using MarginFace.Losses;
using TorchSharp;
using TorchSharp.Modules;
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

    public CenterLossObjective(int features, int classes, double lambda = 0.01, double alpha = 0.5)
        : base(new SoftmaxHead(features, classes))
    {
        if (!(lambda > 0) || !double.IsFinite(lambda)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be finite and > 0.");
        Lambda = lambda;
        centerLoss = new CenterLoss(features, classes);
        centerOptimizer = (OptimizerHelper)centerLoss.CenterOptimizer(alpha);
    }

    public double Lambda { get; }

    public override IReadOnlyList<nn.Module> Modules => [Head, centerLoss];

    /// <summary>Only the head's weights go to the main optimiser; the centres have their own.</summary>
    public override IEnumerable<Parameter> Parameters => Head.parameters();

    public override IReadOnlyList<OptimizerHelper> OwnOptimizers => [centerOptimizer];

    public override Tensor Compute(Tensor embeddings, Tensor labels)
    {
        var softmax = base.Compute(embeddings, labels);
        lastLabels = labels;
        return softmax + centerLoss.forward(embeddings, labels) * Lambda;
    }

    public override void AfterStep()
    {
        if (lastLabels is not null) centerLoss.RescaleCenterGradients(lastLabels, Lambda);
        lastLabels = null;
        base.AfterStep();
    }
}
