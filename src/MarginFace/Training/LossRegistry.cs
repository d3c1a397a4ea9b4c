using MarginFace.Losses;

namespace MarginFace.Training;

/// <summary>
/// The one table of loss names: every margin head of <see cref="MarginHeadFactory"/> with cross-entropy, and
/// <c>focal</c> (softmax + focal loss, Lin et al. 2017), <c>center</c> (softmax + λ·centre loss, Wen et al. 2016),
/// <c>contrastive</c> (Hadsell et al. 2006) and <c>triplet</c> (Schroff et al. 2015, online mining). Recipes, objectives and
/// the command line all read it. Errors are <see cref="ArgumentException"/>s that speak of values; callers name their option.
/// </summary>
public static class LossRegistry
{
    private static readonly (string Name, LossFamily Family, string[] Keys)[] Others =
    [
        ("focal", LossFamily.Focal, ["gamma"]),
        ("center", LossFamily.Center, ["lambda", "alpha"]),
        ("contrastive", LossFamily.Pair, ["margin"]),
        ("triplet", LossFamily.Triplet, ["margin", "mining"]),
    ];

    /// <summary>Every loss name, margin heads first.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. MarginHeadFactory.Names, .. Others.Select(o => o.Name)];

    /// <summary>The family of <paramref name="name"/> (case-insensitive); unknown names throw.</summary>
    public static LossFamily Family(string name)
    {
        var key = Normalize(name);
        if (MarginHeadFactory.Names.Contains(key)) return LossFamily.MarginHead;
        foreach (var other in Others)
            if (other.Name == key) return other.Family;
        throw new ArgumentException($"unknown loss '{name}'; known: {string.Join(", ", Names)}");
    }

    /// <summary>True for a name of <see cref="MarginHeadFactory"/>.</summary>
    public static bool IsMarginHead(string name) => MarginHeadFactory.Names.Contains(Normalize(name));

    /// <summary>
    /// Creates the objective for <paramref name="name"/> over <paramref name="features"/>-dimensional embeddings and
    /// <paramref name="classes"/> classes. Unknown names, unknown or out-of-range parameters throw <see cref="ArgumentException"/>.
    /// </summary>
    public static TrainingObjective Create(string name, int features, int classes, LossSettings? settings = null)
    {
        settings ??= new LossSettings();
        var family = Family(name);
        var key = Normalize(name);
        var p = new Parameters(key, settings.Parameters);
        TrainingObjective objective;
        switch (family)
        {
            case LossFamily.MarginHead when settings.PartialFcSampleRate is double rate:
                if (settings.SoftmaxWarmup) throw new ArgumentException("the softmax warm-up does not apply to Partial FC.");
                var sampledMargin = MarginHeadFactory.Create(key, features, 1, settings.Parameters);
                try
                {
                    var rows = settings.Ranks is { Size: > 1 } ranks && Distributed.ShardedPartialFcObjective.Shardable(sampledMargin, settings)
                        ? Distributed.ShardedPartialFc.ShardRange(classes, ranks.Rank, ranks.Size) : ((long, long)?)null;
                    var classifier = new PartialFcClassifier(features, classes, sampledMargin, rate, settings.Seed, settings.ShardDevices, rows: rows);
                    return new PartialFcObjective(classifier, FocalCriterion(settings.FocalGamma), settings.MarginWarmupEpochs);
                }
                catch (ArgumentException e)
                {
                    sampledMargin.Dispose();
                    throw new ArgumentException($"Partial FC: {e.Message.Split(" (Parameter")[0]}");
                }
            case LossFamily.MarginHead:
                var head = MarginHeadFactory.Create(key, features, classes, settings.Parameters);
                objective = new HeadObjective(head, FocalCriterion(settings.FocalGamma), settings.MarginWarmupEpochs, settings.SoftmaxWarmup);
                return objective;
            case LossFamily.Focal:
                var gamma = p.Take("gamma", settings.FocalGamma ?? 2);
                p.RejectRest();
                return new HeadObjective(new SoftmaxHead(features, classes), FocalCriterion(gamma));
            case LossFamily.Center:
                var lambda = p.Take("lambda", 0.01);
                var alpha = p.Take("alpha", 0.5);
                p.RejectRest();
                return new CenterLossObjective(features, classes, lambda, alpha);
            case LossFamily.Pair:
                var margin = p.Take("margin", 2);
                p.RejectRest();
                return new PairObjective(margin, settings.Seed);
            default:
                var tripletMargin = p.Take("margin", 0.2);
                var mining = p.Take("mining", (int)Losses.Mining.TripletMining.SemiHard);
                p.RejectRest();
                if (mining != Math.Floor(mining) || !Enum.IsDefined((Losses.Mining.TripletMining)(int)mining))
                    throw new ArgumentException($"mining must be one of {string.Join(", ", Enum.GetValues<Losses.Mining.TripletMining>().Select(m => $"{(int)m} ({m})"))}, got {mining}");
                return new TripletObjective(tripletMargin, (Losses.Mining.TripletMining)(int)mining);
        }
    }

    /// <summary>
    /// Checks the name and parameters exactly as <see cref="Create"/> would (by building the objective at a tiny size and
    /// discarding it), so that a mistake is reported before any data is loaded.
    /// </summary>
    public static void Validate(string name, LossSettings? settings = null)
    {
        using var objective = Create(name, 2, 3, settings is null ? null : settings with { ShardDevices = null });
    }

    private static Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>? FocalCriterion(double? gamma)
    {
        if (gamma is not double g) return null;
        var focal = new FocalLoss(g);
        return (logits, labels) => focal.forward(logits, labels);
    }

    private static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant();
    }

    private sealed class Parameters(string loss, IReadOnlyDictionary<string, double> given)
    {
        private readonly Dictionary<string, double> left = given.ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value);

        public double Take(string name, double fallback) => left.Remove(name, out var value) ? value : fallback;

        public void RejectRest()
        {
            if (left.Count > 0)
            {
                var keys = Others.First(o => o.Name == loss).Keys;
                throw new ArgumentException($"unknown parameter '{left.Keys.First()}' for loss '{loss}'; known: {string.Join(", ", keys)}");
            }
        }
    }
}
