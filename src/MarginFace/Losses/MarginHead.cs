using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// Base of the classification heads used for metric learning: owns the class weights W [C,D] and maps
/// embeddings x [B,D] with labels y [B] to logits [B,C], to be fed to cross-entropy (or focal loss).
/// The default pipeline is cos θ_j = x·W_j / (|x||W_j|) clamped to [-1, 1] → <see cref="ModifyTarget"/> changes
/// cos θ_y → <see cref="ModifyNonTarget"/> (identity unless overridden) → <see cref="Scale"/>; see Liu et al. 2017
/// (SphereFace) and Deng et al. 2019 (ArcFace) for the family.
/// </summary>
public abstract class MarginHead : nn.Module<Tensor, Tensor, Tensor>
{
    private Parameter weight;
    private Tensor? auxiliaryLoss;
    private Tensor? lastCosine;
    private Tensor? lastPredictions;

    /// <param name="name">Module name.</param>
    /// <param name="features">Embedding size D.</param>
    /// <param name="classes">Number of classes C.</param>
    /// <param name="weightRows">Rows of <see cref="Weight"/>; C unless the head keeps several centres per class.</param>
    protected MarginHead(string name, int features, int classes, int weightRows) : base(name)
    {
        if (features < 1)
            throw new ArgumentOutOfRangeException(nameof(features), features, "features must be at least 1.");
        if (classes < 1)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "classes must be at least 1.");
        Features = features;
        Classes = classes;
        weight = new Parameter(empty(weightRows, features));
        using (no_grad())
            nn.init.xavier_uniform_(weight);
        RegisterComponents();
    }

    /// <summary>Embedding size D.</summary>
    public int Features { get; }

    /// <summary>Number of classes C.</summary>
    public int Classes { get; }

    /// <summary>Class weights, one row per class (or per sub-centre), registered as parameter "weight".</summary>
    public Parameter Weight => weight;

    /// <summary>
    /// Extra loss term produced by the last forward (e.g. MagFace's feature-norm regulariser), to be added to
    /// the cross-entropy; null for heads without one. Disposed by the next forward.
    /// </summary>
    public Tensor? AuxiliaryLoss
    {
        get => auxiliaryLoss;
        protected set
        {
            if (!ReferenceEquals(auxiliaryLoss, value))
                auxiliaryLoss?.Dispose();
            auxiliaryLoss = value;
        }
    }

    /// <summary>
    /// The (detached) cosine [B,C] computed by the last forward, for accuracy without a second product; null before any, and
    /// for the heads whose forward never forms it (they give <see cref="LastPredictions"/>).
    /// </summary>
    public Tensor? LastCosine => lastCosine is { IsInvalid: false } ? lastCosine : null;

    /// <summary>argmax_j cos θ_j [B] of the last forward, for heads that form no cosine matrix (else null: use <see cref="LastCosine"/>).</summary>
    public Tensor? LastPredictions => lastPredictions is { IsInvalid: false } ? lastPredictions : null;

    /// <summary>Keeps the row-wise argmax of <paramref name="scores"/> (any positive multiple of cos θ) as <see cref="LastPredictions"/>.</summary>
    protected void RememberPredictions(Tensor scores)
    {
        lastCosine?.Dispose();
        lastCosine = null;
        lastPredictions?.Dispose();
        using (no_grad())
            lastPredictions = scores.detach().argmax(1);
        lastPredictions.DetachFromDisposeScope();
    }

    /// <summary>Keeps a detached alias of the forward's cosine as <see cref="LastCosine"/> (no copy).</summary>
    protected void RememberCosine(Tensor cos)
    {
        lastPredictions?.Dispose();
        lastPredictions = null;
        lastCosine?.Dispose();
        lastCosine = cos.detach();
        lastCosine.DetachFromDisposeScope();
    }

    /// <summary>
    /// Numbers of the head's training state that are not tensors (as PyTorch's <c>get_extra_state</c>), e.g. an iteration
    /// counter or an adaptive scale; checkpoints store them. Empty by default.
    /// </summary>
    public virtual IReadOnlyDictionary<string, double> GetExtraState() => new Dictionary<string, double>();

    /// <summary>Restores <see cref="GetExtraState"/>; a key the head does not have is an <see cref="ArgumentException"/>.</summary>
    public virtual void SetExtraState(IReadOnlyDictionary<string, double> state)
    {
        if (state.Count > 0) throw new ArgumentException($"{GetType().Name} has no state '{state.Keys.First()}'.");
    }

    /// <summary>Clamped cosine [B,C] between embeddings and class weights; its argmax is the predicted class.</summary>
    public virtual Tensor Cosine(Tensor embeddings)
    {
        ValidateEmbeddings(embeddings);
        return AngularMath.Cosine(embeddings, weight);
    }

    /// <summary>Logits [B,C] for embeddings [B,D] and int64 labels [B].</summary>
    public override Tensor forward(Tensor embeddings, Tensor labels)
    {
        ValidateEmbeddings(embeddings);
        ValidateLabels(labels, embeddings.shape[0]);
        using var scope = NewDisposeScope();
        var logits = Logits(embeddings, labels);
        if (auxiliaryLoss is not null && !auxiliaryLoss.IsInvalid)
            auxiliaryLoss.MoveToOuterDisposeScope();
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>The whole forward after validation; by default the cosine pipeline described on the class.</summary>
    protected virtual Tensor Logits(Tensor embeddings, Tensor labels)
    {
        var cos = Cosine(embeddings);
        RememberCosine(cos);
        return LogitsFromCosine(cos, labels, embeddings);
    }

    /// <summary>
    /// The margin step alone, from a cosine matrix cos [B,C'] to logits [B,C'] for labels [B] indexing its columns
    /// (the full class set, or a sampled subset of classes as in Partial FC): gather cos θ_y →
    /// <see cref="ModifyTarget"/> → <see cref="ModifyNonTarget"/> on the matrix → <see cref="Scale"/>, then the
    /// scaled target values are scattered into the scaled matrix in place. Only the target column is modified; the
    /// one [B,C'] temporary besides cos is the scaled matrix (Scale is a per-row factor, so scaling before or after
    /// the scatter gives the same values).
    /// </summary>
    protected internal Tensor LogitsFromCosine(Tensor cos, Tensor labels, Tensor embeddings)
    {
        using var scope = NewDisposeScope();
        var index = labels.unsqueeze(1);
        var cosTarget = cos.gather(1, index);
        var target = Scale(ModifyTarget(cosTarget, embeddings), embeddings);
        var scaled = Scale(ModifyNonTarget(cos, cosTarget), embeddings);
        var logits = ReferenceEquals(scaled, cos) ? scaled.scatter(1, index, target) : scaled.scatter_(1, index, target);
        if (auxiliaryLoss is not null && !auxiliaryLoss.IsInvalid)
            auxiliaryLoss.MoveToOuterDisposeScope();
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>Maps the target-class cosine cos θ_y [B,1] to the value placed in the target column (before scaling).</summary>
    protected virtual Tensor ModifyTarget(Tensor cosTarget, Tensor embeddings) => cosTarget;

    /// <summary>Maps the cosine matrix [B,C] to the non-target values (the target column is overwritten afterwards).</summary>
    protected virtual Tensor ModifyNonTarget(Tensor cos, Tensor cosTarget) => cos;

    /// <summary>Scales the modified cosine matrix into logits.</summary>
    protected virtual Tensor Scale(Tensor logits, Tensor embeddings) => logits;

    /// <summary>Throws unless <paramref name="embeddings"/> is a floating 2-D [B, Features] tensor of Weight's dtype.</summary>
    protected void ValidateEmbeddings(Tensor embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.dim() != 2 || embeddings.shape[1] != Features)
            throw new ArgumentException(
                $"embeddings must have shape [B, {Features}], got [{string.Join(", ", embeddings.shape)}].", nameof(embeddings));
        if (embeddings.dtype != weight.dtype)
            throw new ArgumentException(
                $"embeddings must have the head's dtype {weight.dtype}, got {embeddings.dtype}.", nameof(embeddings));
    }

    private void ValidateLabels(Tensor labels, long batch)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"labels must be int64, got {labels.dtype}.", nameof(labels));
        if (labels.dim() != 1 || labels.shape[0] != batch)
            throw new ArgumentException(
                $"labels must have shape [{batch}] to match embeddings, got [{string.Join(", ", labels.shape)}].", nameof(labels));
        if (batch == 0) return;
        var min = labels.min().item<long>();
        var max = labels.max().item<long>();
        if (min < 0 || max >= Classes)
            throw new ArgumentException($"labels must lie in [0, {Classes}), got values in [{min}, {max}].", nameof(labels));
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> unless the value is finite and within [min, max].</summary>
    protected static double Check(double value, string name, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        if (!double.IsFinite(value) || value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and within [{min}, {max}].");
        return value;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> unless the angle is finite and within [min, π).</summary>
    protected static double CheckAngle(double value, string name, double min = 0.0)
    {
        Check(value, name, min, Math.PI);
        if (value >= Math.PI) throw new ArgumentOutOfRangeException(name, value, $"{name} must be below π.");
        return value;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            AuxiliaryLoss = null;
            lastCosine?.Dispose();
            lastPredictions?.Dispose();
        }
        base.Dispose(disposing);
    }
}
