namespace MarginFace.Losses;

/// <summary>
/// Creates a <see cref="MarginHead"/> by name, with optional numeric parameters named as the constructor's
/// (case and underscores ignored, so "t_alpha" = "tAlpha"; booleans as 0/1). Unspecified parameters keep their defaults.
/// </summary>
public static class MarginHeadFactory
{
    private delegate MarginHead Builder(int features, int classes, Parameters p);

    private static readonly (string Name, string[] Keys, Builder Build)[] Heads =
    [
        ("softmax", [], (f, c, p) => new SoftmaxHead(f, c)),
        ("modified", [], (f, c, p) => new ModifiedSoftmaxHead(f, c)),
        ("normface", ["s"], (f, c, p) => new NormFaceHead(f, c, p.Get("s", 16))),
        ("sphereface", ["m", "lambdabase", "lambdagamma", "lambdapower", "lambdamin"], (f, c, p) => new SphereFaceHead(f, c,
            p.Get("m", 4), p.Get("lambdabase", 1000), p.Get("lambdagamma", 0.12), p.Get("lambdapower", 1), p.Get("lambdamin", 5))),
        ("cosface", ["s", "m"], (f, c, p) => new CosFaceHead(f, c, p.Get("s", 30), p.Get("m", 0.4))),
        ("arcface", ["s", "m", "easymargin"], (f, c, p) => new ArcFaceHead(f, c, p.Get("s", 30), p.Get("m", 0.5), p.Flag("easymargin", false))),
        ("combined", ["s", "m1", "m2", "m3"], (f, c, p) => new CombinedMarginHead(f, c,
            p.Get("s", 64), p.Get("m1", 1), p.Get("m2", 0.5), p.Get("m3", 0))),
        ("adacos", ["dynamic"], (f, c, p) => new AdaCosHead(f, c, p.Flag("dynamic", true))),
        ("curricularface", ["s", "m"], (f, c, p) => new CurricularFaceHead(f, c, p.Get("s", 64), p.Get("m", 0.5))),
        ("adaface", ["m", "h", "s", "talpha"], (f, c, p) => new AdaFaceHead(f, c,
            p.Get("m", 0.4), p.Get("h", 0.333), p.Get("s", 64), p.Get("talpha", 0.01))),
        ("magface", ["s", "la", "ua", "lm", "um", "lambdag", "easymargin"], (f, c, p) => new MagFaceHead(f, c,
            p.Get("s", 64), p.Get("la", 10), p.Get("ua", 110), p.Get("lm", 0.45), p.Get("um", 0.8), p.Get("lambdag", 35),
            p.Flag("easymargin", false))),
        ("subcenter", ["k", "s", "m"], (f, c, p) => new SubCenterArcFaceHead(f, c, p.Int("k", 3), p.Get("s", 30), p.Get("m", 0.5))),
    ];

    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.AsReadOnly(Heads.Select(h => h.Name).ToArray());

    /// <summary>Creates the head called <paramref name="name"/> (case-insensitive).</summary>
    public static MarginHead Create(string name, int features, int classes, IReadOnlyDictionary<string, double>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim().ToLowerInvariant();
        foreach (var head in Heads)
        {
            if (head.Name != key) continue;
            var p = new Parameters(parameters);
            foreach (var given in p.Keys)
                if (!head.Keys.Contains(given))
                    throw new ArgumentException(
                        $"Unknown parameter '{p.Original(given)}' for head '{head.Name}'; known: {(head.Keys.Length == 0 ? "none" : string.Join(", ", head.Keys))}.",
                        nameof(parameters));
            return head.Build(features, classes, p);
        }
        throw new ArgumentException($"Unknown margin head '{name}'; known: {string.Join(", ", Names)}.", nameof(name));
    }

    private sealed class Parameters
    {
        private readonly Dictionary<string, (string Original, double Value)> values = new();

        public Parameters(IReadOnlyDictionary<string, double>? given)
        {
            if (given is null) return;
            foreach (var (k, v) in given)
            {
                var normal = k.Replace("_", "").ToLowerInvariant();
                if (!values.TryAdd(normal, (k, v)))
                    throw new ArgumentException($"Parameter '{k}' is given twice (names ignore case and underscores).", "parameters");
            }
        }

        public IEnumerable<string> Keys => values.Keys;

        public string Original(string key) => values[key].Original;

        public double Get(string key, double fallback) => values.TryGetValue(key, out var v) ? v.Value : fallback;

        public bool Flag(string key, bool fallback)
        {
            if (!values.TryGetValue(key, out var v)) return fallback;
            return v.Value switch
            {
                0 => false,
                1 => true,
                _ => throw new ArgumentException($"{v.Original} must be 0 or 1, got {v.Value}.", v.Original),
            };
        }

        public int Int(string key, int fallback)
        {
            if (!values.TryGetValue(key, out var v)) return fallback;
            if (v.Value != Math.Floor(v.Value) || v.Value < int.MinValue || v.Value > int.MaxValue)
                throw new ArgumentException($"{v.Original} must be an integer, got {v.Value}.", v.Original);
            return (int)v.Value;
        }
    }
}
