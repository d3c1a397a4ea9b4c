using TorchSharp;
using MarginFace.Losses;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// Siamese training with <see cref="ContrastiveLoss"/> (Hadsell et al. 2006): every sample of a batch is paired once with a
/// sample of the same class and once with a sample of another class (chosen by a generator seeded per batch), so pairs are
/// balanced. No class weights: prediction is by the nearest class centre of the training embeddings.
/// </summary>
public sealed class PairObjective : TrainingObjective
{
    private readonly ContrastiveLoss loss;
    private readonly int seed;
    private Random random;

    /// <summary>Contrastive loss with <paramref name="margin"/> over pairs drawn from a generator seeded by <paramref name="seed"/>, epoch and step.</summary>
    public PairObjective(double margin = 2, int seed = 0)
    {
        loss = new ContrastiveLoss(margin);
        this.seed = seed;
        random = new Random(seed);
    }

    /// <summary>Seeds the pair draw from (seed, epoch, step), so a resumed run forms the same pairs.</summary>
    public override void BeginStep(int epoch, int step) =>
        random = new Random(unchecked(seed * 1_000_003 + epoch * 100_003 + step));

    /// <inheritdoc/>
    public override IReadOnlyList<nn.Module> Modules => [loss];

    /// <summary>The contrastive loss of one same-class and one other-class pair per sample.</summary>
    public override Tensor Compute(Tensor embeddings, Tensor labels)
    {
        var y = labels.cpu().data<long>().ToArray();
        var first = new List<long>();
        var second = new List<long>();
        var dissimilar = new List<float>();
        for (int i = 0; i < y.Length; i++)
        {
            var same = Enumerable.Range(0, y.Length).Where(j => j != i && y[j] == y[i]).ToArray();
            var other = Enumerable.Range(0, y.Length).Where(j => y[j] != y[i]).ToArray();
            if (same.Length > 0) { first.Add(i); second.Add(same[random.Next(same.Length)]); dissimilar.Add(0); }
            if (other.Length > 0) { first.Add(i); second.Add(other[random.Next(other.Length)]); dissimilar.Add(1); }
        }
        if (first.Count == 0) return embeddings.sum() * 0;
        using var a = torch.tensor(first.ToArray(), device: embeddings.device);
        using var b = torch.tensor(second.ToArray(), device: embeddings.device);
        using var t = torch.tensor(dissimilar.ToArray(), device: embeddings.device);
        return loss.forward(embeddings.index_select(0, a), embeddings.index_select(0, b), t);
    }

    /// <summary>Null: no class weights, prediction is by nearest class centre.</summary>
    public override Tensor? Scores(Tensor embeddings) => null;
}
