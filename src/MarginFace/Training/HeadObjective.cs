using MarginFace.Losses;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// A classification objective: a <see cref="MarginHead"/> turns embeddings into logits, scored by cross-entropy or another
/// logits loss (e.g. <c>FocalLoss</c>), plus the head's own auxiliary term (MagFace) when it has one.
/// Prediction is the argmax of cos θ (of the raw logits for <see cref="SoftmaxHead"/>, whose weights are not normalised).
/// </summary>
public class HeadObjective : TrainingObjective
{
    private readonly Func<Tensor, Tensor, Tensor> criterion;
    private readonly int marginWarmupEpochs;
    private readonly double targetMargin;
    private readonly bool softmaxWarmup;
    private bool warmingUp;
    private Tensor? lastPredictions;

    /// <param name="head">The margin head.</param>
    /// <param name="criterion">Loss of (logits, labels); cross-entropy by default.</param>
    /// <param name="marginWarmupEpochs">
    /// For heads with an <see cref="IAdditiveMargin"/>: epoch e uses m·min(1, (e−1)/warm-up); CurricularFace's hard-example
    /// modulation starts after the warm-up.
    /// </param>
    /// <param name="softmaxWarmup">
    /// During the margin warm-up, train on the modified-softmax logits |x|·cos θ_j of the head's own weights instead of the
    /// head's logits (the start of SphereFace's λ annealing); the head's loss takes over when the warm-up ends.
    /// </param>
    public HeadObjective(MarginHead head, Func<Tensor, Tensor, Tensor>? criterion = null, int marginWarmupEpochs = 0, bool softmaxWarmup = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(marginWarmupEpochs);
        Head = head;
        this.criterion = criterion ?? ((logits, labels) => nn.functional.cross_entropy(logits, labels));
        this.marginWarmupEpochs = marginWarmupEpochs;
        targetMargin = head is IAdditiveMargin margin ? margin.M : 0;
        this.softmaxWarmup = softmaxWarmup;
    }

    /// <summary>Sets the margin of the warm-up for <paramref name="epoch"/>: m·min(1, (epoch − 1)/warm-up).</summary>
    public override void BeginEpoch(int epoch, int epochs)
    {
        warmingUp = softmaxWarmup && epoch <= marginWarmupEpochs;
        if (marginWarmupEpochs <= 0) return;
        if (Head is IAdditiveMargin margin)
            margin.M = targetMargin * Math.Min(1.0, (epoch - 1) / (double)marginWarmupEpochs);
        if (Head is CurricularFaceHead curricular)
            curricular.HardExampleModulation = epoch > marginWarmupEpochs;
    }

    /// <summary>The margin head that turns embeddings into logits.</summary>
    public MarginHead Head { get; }

    /// <summary>The loss of (logits, labels): cross-entropy unless another was given.</summary>
    protected Func<Tensor, Tensor, Tensor> Criterion => criterion;

    /// <inheritdoc/>
    public override IReadOnlyList<nn.Module> Modules => [Head];

    /// <summary>criterion(head logits, labels) plus the head's auxiliary term, if any.</summary>
    public override Tensor Compute(Tensor embeddings, Tensor labels)
    {
        Tensor logits;
        if (warmingUp)
        {
            var cos = Head.Cosine(embeddings);
            logits = cos * AngularMath.Norm(embeddings, 1);
            RememberPredictions(cos.argmax(1));
        }
        else
        {
            logits = Head.forward(embeddings, labels);
            RememberPredictions(Head.LastPredictions ?? (Head is SoftmaxHead ? logits : Head.LastCosine ?? Head.Cosine(embeddings)).argmax(1));
        }
        return Loss(logits, labels);
    }

    private Tensor Loss(Tensor logits, Tensor labels)
    {
        var loss = criterion(logits, labels);
        return !warmingUp && Head.AuxiliaryLoss is { } auxiliary ? loss + auxiliary : loss;
    }

    /// <summary>Counts from the argmax of the last <see cref="Compute"/>'s scores (cos θ, or the softmax logits), taken once per step.</summary>
    public override long? CountCorrect(Tensor embeddings, Tensor labels) =>
        lastPredictions is { IsInvalid: false } predicted && predicted.shape[0] == labels.shape[0] ? CountEqual(predicted, labels) : base.CountCorrect(embeddings, labels);

    /// <summary>The head's extra state (e.g. SphereFace's iteration, AdaCos's s).</summary>
    public override IReadOnlyDictionary<string, double> ExtraState() => Head.GetExtraState();

    /// <summary>Restores the head's extra state.</summary>
    public override void LoadExtraState(IReadOnlyDictionary<string, double> state) => Head.SetExtraState(state);

    /// <summary>Keeps the step's predicted class ids [B] for <see cref="CountCorrect"/>.</summary>
    protected void RememberPredictions(Tensor predictions)
    {
        lastPredictions?.Dispose();
        lastPredictions = predictions.alias();
        lastPredictions.DetachFromDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) lastPredictions?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>The scores prediction takes the argmax of: cos θ [B,C] (the raw logits for <see cref="SoftmaxHead"/>).</summary>
    public override Tensor? Scores(Tensor embeddings) =>
        Head is SoftmaxHead ? embeddings.matmul(Head.Weight.t()) : Head.Cosine(embeddings);
}
