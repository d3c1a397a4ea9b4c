using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// What a training step minimises on top of the backbone's embeddings: a margin head with cross-entropy, a pair or a
/// triplet loss. The trainer owns the backbone and its optimiser; the objective owns everything after the embedding.
/// </summary>
public abstract class TrainingObjective : IDisposable
{
    /// <summary>Modules the objective owns (heads, centres): moved to the device, checkpointed, switched train/eval.</summary>
    public abstract IReadOnlyList<nn.Module> Modules { get; }

    /// <summary>Parameters optimised together with the backbone (at the head learning rate).</summary>
    public virtual IEnumerable<Parameter> Parameters => Modules.SelectMany(m => m.parameters());

    /// <summary>Optimisers of the objective's own (e.g. centre loss's centre learning rate); checkpointed with the rest.</summary>
    public virtual IReadOnlyList<OptimizerHelper> OwnOptimizers => [];

    /// <summary>The scalar loss of a batch.</summary>
    public abstract Tensor Compute(Tensor embeddings, Tensor labels);

    /// <summary>
    /// Class scores used for prediction by argmax (test accuracy, and training accuracy on the step's embeddings), or null
    /// when prediction is by nearest class centre.
    /// </summary>
    public abstract Tensor? Scores(Tensor embeddings);

    /// <summary>
    /// Correct predictions among the step's samples, from the scores the step's <see cref="Compute"/> already produced where the
    /// objective keeps them (no second [B, C] product), else from <see cref="Scores"/>; null when prediction is not by argmax.
    /// </summary>
    public virtual long? CountCorrect(Tensor embeddings, Tensor labels)
    {
        using var scores = Scores(embeddings);
        return scores is null ? null : CountArgmax(scores, labels);
    }

    /// <summary>How many rows of <paramref name="scores"/> have their largest value in the label's column.</summary>
    protected static long CountArgmax(Tensor scores, Tensor labels)
    {
        using var predicted = scores.argmax(1);
        return CountEqual(predicted, labels);
    }

    /// <summary>How many predicted classes equal their labels.</summary>
    protected static long CountEqual(Tensor predicted, Tensor labels)
    {
        using var right = predicted.eq(labels);
        using var count = right.sum();
        return count.item<long>();
    }

    /// <summary>
    /// Numbers that belong to the training state but to no module's tensors (as PyTorch's <c>get_extra_state</c>): e.g.
    /// SphereFace's iteration, AdaCos's adaptive scale. Written into every checkpoint and restored on resume.
    /// </summary>
    public virtual IReadOnlyDictionary<string, double> ExtraState() => new Dictionary<string, double>();

    /// <summary>Restores <see cref="ExtraState"/>; throws <see cref="ArgumentException"/> for a key this objective does not have.</summary>
    public virtual void LoadExtraState(IReadOnlyDictionary<string, double> state)
    {
        if (state.Count > 0) throw new ArgumentException($"unexpected state '{state.Keys.First()}'.");
    }

    /// <summary>Called before the backward pass.</summary>
    public virtual void BeforeBackward()
    {
        foreach (var optimizer in OwnOptimizers) optimizer.zero_grad();
    }

    /// <summary>Backpropagates the step's loss (from <see cref="Compute"/>) into the backbone and the objective's parameters.</summary>
    public virtual void Backward(Tensor loss) => loss.backward();

    /// <summary>Clips the gradients of <paramref name="backbone"/> and <see cref="Parameters"/> to a total norm of <paramref name="maxNorm"/>.</summary>
    public virtual void ClipGradients(IEnumerable<Parameter> backbone, double maxNorm) => nn.utils.clip_grad_norm_(backbone.Concat(Parameters), maxNorm);

    /// <summary>Called on every rank before a checkpoint is written (by rank 0), and <see cref="AfterCheckpoint"/> after.</summary>
    public virtual void BeforeCheckpoint() { }

    /// <summary>Called on every rank after a checkpoint is written.</summary>
    public virtual void AfterCheckpoint() { }

    /// <summary>Called after the modules and optimisers were loaded from a checkpoint.</summary>
    public virtual void AfterLoad() { }

    /// <summary>Called after the main optimiser's step.</summary>
    public virtual void AfterStep()
    {
        foreach (var optimizer in OwnOptimizers) optimizer.step();
    }

    /// <summary>Called at the start of every epoch (1-based), e.g. for margin warm-up.</summary>
    public virtual void BeginEpoch(int epoch, int epochs) { }

    /// <summary>Called before every step (both 1-based within the run's epochs), so per-step randomness can be replayed on resume.</summary>
    public virtual void BeginStep(int epoch, int step) { }

    /// <summary>Switches every module of <see cref="Modules"/> to training (dropout, batch statistics, margin updates) or evaluation.</summary>
    public void Train(bool training)
    {
        foreach (var module in Modules) module.train(training);
    }

    /// <summary>Disposes the optimisers and modules the objective owns.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>When <paramref name="disposing"/>, disposes <see cref="OwnOptimizers"/> and <see cref="Modules"/>; derived objectives add what else they own.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        foreach (var optimizer in OwnOptimizers) optimizer.Dispose();
        foreach (var module in Modules) module.Dispose();
    }
}
