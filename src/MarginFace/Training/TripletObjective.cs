using MarginFace.Losses;
using MarginFace.Losses.Mining;
using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// FaceNet-style training (Schroff et al. 2015) with <see cref="BatchTripletLoss"/> and online mining over P×K batches.
/// No class weights: prediction is by the nearest class centre of the training embeddings.
/// </summary>
public sealed class TripletObjective(double margin = 0.2, TripletMining mining = TripletMining.SemiHard) : TrainingObjective
{
    private readonly BatchTripletLoss loss = new(margin, mining);

    public override IReadOnlyList<nn.Module> Modules => [loss];

    public override Tensor Compute(Tensor embeddings, Tensor labels) => loss.forward(embeddings, labels);

    public override Tensor? Scores(Tensor embeddings) => null;
}
