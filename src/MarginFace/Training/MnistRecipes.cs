namespace MarginFace.Training;

/// <summary>
/// Loss parameters that converge on low-dimensional MNIST features. The paper defaults (s = 30–64, m = 0.4–0.5) are
/// chosen for 512-D face embeddings and thousands of classes; with 2-D features the ten classes share one circle,
/// each gets at most 2π/10 ≈ 0.63 rad, and a target cos θ_y + margin that large is unreachable early in training, so the
/// loss sits on a plateau. A scale of 16 and margins of 0.1–0.3 keep the gradient alive; parameters the user gives win.
/// </summary>
public static class MnistRecipes
{
    private static readonly Dictionary<string, Dictionary<string, double>> LowDimensional = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cosface"] = new() { ["s"] = 16, ["m"] = 0.1 },
        // AdaCos's dynamic scale s ← log(B_avg)/cos(min(π/4, θ_med)) grows without bound when the negatives' cosines stay
        // close to the target's, as they must with ten classes on a circle (measured: loss 1e24, then Inf, in epoch 3).
        ["adacos"] = new() { ["dynamic"] = 0 },
        ["arcface"] = new() { ["s"] = 16, ["m"] = 0.3 },
        ["combined"] = new() { ["s"] = 16, ["m1"] = 1, ["m2"] = 0.2, ["m3"] = 0.05 },
        ["curricularface"] = new() { ["s"] = 16, ["m"] = 0.2 },
        ["adaface"] = new() { ["s"] = 16, ["m"] = 0.2 },
        ["magface"] = new() { ["s"] = 16, ["lm"] = 0.1, ["um"] = 0.3 },
        ["subcenter"] = new() { ["s"] = 16, ["m"] = 0.2 },
    };

    /// <summary>Fills in the recipe's parameters and margin warm-up that <paramref name="options"/> does not set (for feature sizes up to 3).</summary>
    public static MnistExperimentOptions Resolve(MnistExperimentOptions options)
    {
        if (options.FeatureDim > 3 || !LowDimensional.TryGetValue(options.Loss, out var recipe))
            return options with { MarginWarmupEpochs = options.MarginWarmupEpochs ?? 0 };
        // One epoch at m = 0 first: the features spread out around the circle before the margin pushes classes apart.
        options = options with { MarginWarmupEpochs = options.MarginWarmupEpochs ?? (options.Epochs > 1 ? 1 : 0) };
        var parameters = new Dictionary<string, double>(recipe, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in options.LossParameters) parameters[key] = value;
        return options with { LossParameters = parameters };
    }
}
