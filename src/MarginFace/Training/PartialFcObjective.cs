using MarginFace.Losses;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// A margin head trained through a <see cref="PartialFcClassifier"/> (An et al. 2021): per step the cosine against the
/// batch's classes plus sampled negatives (all classes at r = 1), the head's logits-from-cosine step, then cross-entropy (or
/// focal loss) plus the head's auxiliary term. The sampling key is set from the trainer's (epoch, step), so a resumed run
/// draws the same classes. Margin warm-up works as in <see cref="HeadObjective"/>; the softmax warm-up does not apply.
/// Training accuracy is counted among the step's sampled classes (exact at r = 1): the argmax over the sample, mapped back
/// to its class id.
/// </summary>
public sealed class PartialFcObjective : HeadObjective
{
    /// <param name="classifier">The class centres (full or sharded) and the margin.</param>
    /// <param name="criterion">Loss of (logits, labels); cross-entropy by default.</param>
    /// <param name="marginWarmupEpochs">As <see cref="HeadObjective"/>'s.</param>
    public PartialFcObjective(PartialFcClassifier classifier, Func<Tensor, Tensor, Tensor>? criterion = null, int marginWarmupEpochs = 0)
        : base(classifier.Margin, criterion, marginWarmupEpochs)
    {
        Classifier = classifier;
    }

    /// <summary>The class centres and the margin.</summary>
    public PartialFcClassifier Classifier { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<nn.Module> Modules => [Classifier];

    /// <summary>The margin head's own weight [1, D] is not used; only the centres are optimised.</summary>
    public override IEnumerable<TorchSharp.Modules.Parameter> Parameters => Classifier.Shards;

    /// <summary>Keys the negative-class sample by (epoch, step), so a resumed run draws the same classes.</summary>
    public override void BeginStep(int epoch, int step)
    {
        Classifier.Epoch = epoch;
        Classifier.Step = step;
    }

    /// <summary>criterion(logits over the sampled classes, labels remapped into the sample) plus the head's auxiliary term.</summary>
    public override Tensor Compute(Tensor embeddings, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var (logits, remapped, classes) = Classifier.Logits(embeddings, labels);
        var sampled = Classifier.LastCosine is { } cos ? cos.argmax(1) : Head.LastPredictions!;
        RememberPredictions(classes is null ? sampled : classes.index_select(0, sampled));
        var loss = Criterion(logits, remapped);
        if (Head.AuxiliaryLoss is { IsInvalid: false } auxiliary) loss = loss + auxiliary;
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>cos θ against every class's centre [B,C] (all shards).</summary>
    public override Tensor? Scores(Tensor embeddings) => Classifier.Cosine(embeddings);
}
