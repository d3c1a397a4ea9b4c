using MarginFace.Losses.Mining;
using MarginFace.Losses;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// FaceNet-style training (Schroff et al. 2015) with <see cref="BatchTripletLoss"/> and online mining over P×K batches.
/// No class weights: prediction is by the nearest class centre of the training embeddings.
/// </summary>
public sealed class TripletObjective(double margin = 0.2, TripletMining mining = TripletMining.SemiHard) : TrainingObjective
{
    private readonly BatchTripletLoss loss = new(margin, mining);

    /// <inheritdoc/>
    public override IReadOnlyList<nn.Module> Modules => [loss];

    /// <summary>The batch-triplet loss max(0, d(a,p) − d(a,n) + margin) over the triplets mined within the batch.</summary>
    public override Tensor Compute(Tensor embeddings, Tensor labels) => loss.forward(embeddings, labels);

    /// <summary>Null: no class weights, prediction is by nearest class centre.</summary>
    public override Tensor? Scores(Tensor embeddings) => null;
}
