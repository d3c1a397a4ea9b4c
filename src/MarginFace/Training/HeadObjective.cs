using MarginFace.Losses;
using TorchSharp;
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

    public HeadObjective(MarginHead head, Func<Tensor, Tensor, Tensor>? criterion = null)
    {
        Head = head;
        this.criterion = criterion ?? ((logits, labels) => nn.functional.cross_entropy(logits, labels));
    }

    public MarginHead Head { get; }

    public override IReadOnlyList<nn.Module> Modules => [Head];

    public override (Tensor Loss, Tensor? Logits) Compute(Tensor embeddings, Tensor labels)
    {
        var logits = Head.forward(embeddings, labels);
        var loss = criterion(logits, labels);
        if (Head.AuxiliaryLoss is { } auxiliary) loss = loss + auxiliary;
        return (loss, logits);
    }

    public override Tensor? Scores(Tensor embeddings) =>
        Head is SoftmaxHead ? embeddings.matmul(Head.Weight.t()) : Head.Cosine(embeddings);
}
