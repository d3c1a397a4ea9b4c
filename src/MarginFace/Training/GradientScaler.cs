using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// Dynamic loss scaling for float16 training, following PyTorch's <c>torch.amp.GradScaler</c> rule exactly: the loss is
/// multiplied by the scale S before backward; <see cref="Unscale"/> multiplies the gradients by float32(1/S) and reports
/// whether any is inf or NaN; <see cref="Update"/> then sets S ← S·backoff and the growth tracker to 0 after a non-finite
/// step (which the caller skips), else counts the step and, after <see cref="GrowthInterval"/> finite steps in a row,
/// sets S ← S·growth (kept only while float32 can hold it) and the tracker to 0. S is a float32 value, as PyTorch's.
/// Defaults are PyTorch's: S₀ = 65536, growth 2, backoff 0.5, interval 2000.
/// </summary>
public sealed class GradientScaler
{
    /// <param name="initScale">S₀, a positive finite float32.</param>
    /// <param name="growthFactor">Growth after a run of finite steps (&gt; 1).</param>
    /// <param name="backoffFactor">Backoff after a non-finite step (in (0, 1)).</param>
    /// <param name="growthInterval">Finite steps in a row before the scale grows (≥ 1).</param>
    public GradientScaler(double initScale = 65536, double growthFactor = 2, double backoffFactor = 0.5, int growthInterval = 2000)
    {
        if (!(initScale > 0) || !float.IsFinite((float)initScale)) throw new ArgumentOutOfRangeException(nameof(initScale), initScale, "a positive finite float32 is needed.");
        if (!(growthFactor > 1) || !double.IsFinite(growthFactor)) throw new ArgumentOutOfRangeException(nameof(growthFactor), growthFactor, "a finite factor above 1 is needed.");
        if (!(backoffFactor > 0 && backoffFactor < 1)) throw new ArgumentOutOfRangeException(nameof(backoffFactor), backoffFactor, "a factor in (0, 1) is needed.");
        ArgumentOutOfRangeException.ThrowIfLessThan(growthInterval, 1);
        Scale = (float)initScale;
        GrowthFactor = growthFactor;
        BackoffFactor = backoffFactor;
        GrowthInterval = growthInterval;
    }

    /// <summary>The current scale S (a float32 value).</summary>
    public float Scale { get; private set; }

    /// <summary>Finite steps in a row since the scale last changed.</summary>
    public int GrowthTracker { get; private set; }

    /// <summary>Growth factor.</summary>
    public double GrowthFactor { get; }

    /// <summary>Backoff factor.</summary>
    public double BackoffFactor { get; }

    /// <summary>Finite steps in a row before the scale grows.</summary>
    public int GrowthInterval { get; }

    /// <summary>loss · S, the tensor to call backward on.</summary>
    public Tensor ScaleLoss(Tensor loss) => loss * Scale;

    /// <summary>
    /// Multiplies every gradient of <paramref name="parameters"/> in place by float32(1/S), as PyTorch's <c>unscale_</c>, and
    /// returns true when every one is finite (false: skip the optimiser step).
    /// </summary>
    public bool Unscale(IEnumerable<Tensor> parameters)
    {
        var inverse = (float)(1.0 / Scale);
        using var noGrad = no_grad();
        Tensor? finite = null;
        foreach (var p in parameters)
        {
            using var grad = p.grad;
            if (grad is null) continue;
            grad.mul_(inverse);
            using var all = isfinite(grad).all();
            if (finite is null) finite = all.clone();
            else finite.logical_and_(all);
        }
        if (finite is null) return true;
        using (finite) return finite.item<bool>();
    }

    /// <summary>PyTorch's <c>_amp_update_scale_</c>: the scale and tracker after a step whose gradients were (not) finite.</summary>
    public void Update(bool foundInf)
    {
        if (foundInf)
        {
            Scale = (float)(Scale * BackoffFactor);
            GrowthTracker = 0;
            return;
        }
        var successful = GrowthTracker + 1;
        if (successful == GrowthInterval)
        {
            var grown = (float)(Scale * GrowthFactor);
            if (float.IsFinite(grown)) Scale = grown;
            GrowthTracker = 0;
        }
        else
        {
            GrowthTracker = successful;
        }
    }

    /// <summary>Restores a scale and tracker saved from <see cref="Scale"/> and <see cref="GrowthTracker"/>.</summary>
    public void Restore(float scale, int growthTracker)
    {
        if (!(scale > 0) || !float.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "a positive finite scale is needed.");
        if (growthTracker < 0 || growthTracker >= GrowthInterval) throw new ArgumentOutOfRangeException(nameof(growthTracker), growthTracker, $"a count in [0, {GrowthInterval}) is needed.");
        Scale = scale;
        GrowthTracker = growthTracker;
    }
}
