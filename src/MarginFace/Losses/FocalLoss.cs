using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// Focal loss (Lin, Goyal, Girshick, He, Dollár, 2017, "Focal Loss for Dense Object Detection"):
/// L = mean_i −(1 − p_{i,y_i})^γ · log p_{i,y_i}, with p = softmax(logits). γ = 0 is cross-entropy.
/// </summary>
/// <remarks>
/// log p comes from log_softmax and 1 − p from −expm1(log p), so saturated logits stay finite.
/// 1 − p is clamped below at the dtype's smallest normal number, which keeps the gradient of (1 − p)^γ
/// finite for γ &lt; 1 when p rounds to 1 (the loss there is below that number anyway).
/// </remarks>
public sealed class FocalLoss : nn.Module<Tensor, Tensor, Tensor>
{
    /// <param name="gamma">Focusing parameter γ ≥ 0 (paper default 2).</param>
    public FocalLoss(double gamma = 2) : base(nameof(FocalLoss))
    {
        LossArguments.NonNegativeFinite(gamma, nameof(gamma));
        Gamma = gamma;
    }

    /// <summary>Focusing exponent γ of −(1 − p_y)^γ·log p_y; 0 is plain cross-entropy.</summary>
    public double Gamma { get; }

    /// <param name="logits">[B, C] unnormalised class scores.</param>
    /// <param name="labels">[B] integer class indices in [0, C).</param>
    /// <returns>Scalar mean loss (0 for an empty batch, still attached to the graph).</returns>
    public override Tensor forward(Tensor logits, Tensor labels)
    {
        LossArguments.Matrix(logits, nameof(logits));
        using var scope = NewDisposeScope();
        var y = LossArguments.Labels(labels, logits.shape[0], nameof(labels), logits.shape[1]);
        var logp = nn.functional.log_softmax(logits, 1).gather(1, y.unsqueeze(1)).squeeze(1);
        var oneMinusP = logp.expm1().neg().clamp_min(finfo(logits.dtype).tiny);
        var loss = oneMinusP.pow(Gamma).mul(logp).neg();
        var result = logits.shape[0] == 0 ? loss.sum() : loss.mean();
        return result.MoveToOuterDisposeScope();
    }
}
