using TorchSharp;
using MarginFace.Losses;
using static TorchSharp.torch;

namespace MarginFace.Tests.Losses;

/// <summary>A head configuration with its independent reference formula, plus helpers for double inputs.</summary>
internal sealed record HeadCase(string Label, Func<int, int, MarginHead> Make, ReferenceHeads.Head Reference, int RowsPerClass = 1,
    bool FrozenNorms = false, bool HasRegulariser = false, Action<MarginHead>? AfterFloat64 = null)
{
    public override string ToString() => Label;

    public const int Batch = 4;
    public const int Dim = 6;
    public const int ClassCount = 5;

    public static IReadOnlyList<HeadCase> All { get; } =
    [
        new("softmax", (d, c) => new SoftmaxHead(d, c), ReferenceHeads.Softmax()),
        new("modified", (d, c) => new ModifiedSoftmaxHead(d, c), ReferenceHeads.Modified()),
        new("normface s=16", (d, c) => new NormFaceHead(d, c), ReferenceHeads.NormFace(16)),
        new("cosface s=30 m=0.4", (d, c) => new CosFaceHead(d, c), ReferenceHeads.CosFace(30, 0.4)),
        new("arcface s=30 m=0.5", (d, c) => new ArcFaceHead(d, c), ReferenceHeads.ArcFace(30, 0.5, false)),
        new("arcface s=64 m=1.2", (d, c) => new ArcFaceHead(d, c, 64, 1.2), ReferenceHeads.ArcFace(64, 1.2, false)),
        new("arcface easy m=0.5", (d, c) => new ArcFaceHead(d, c, 30, 0.5, easyMargin: true), ReferenceHeads.ArcFace(30, 0.5, true)),
        new("combined 1,0.5,0", (d, c) => new CombinedMarginHead(d, c), ReferenceHeads.Combined(64, 1, 0.5, 0)),
        new("combined 1.3,0.2,0.1", (d, c) => new CombinedMarginHead(d, c, 32, 1.3, 0.2, 0.1), ReferenceHeads.Combined(32, 1.3, 0.2, 0.1)),
        new("sphereface m=4 t=10", (d, c) => new SphereFaceHead(d, c) { Iteration = 10 },
            ReferenceHeads.SphereFace(4, ReferenceHeads.Lambda(1000, 0.12, 1, 5, 10))),
        .. Enumerable.Range(1, 5).Select(m => new HeadCase($"sphereface m={m} lambda=0.5",
            (d, c) => new SphereFaceHead(d, c, m, lambdaBase: 0, lambdaMin: 0.5), ReferenceHeads.SphereFace(m, 0.5))),
        new("curricularface t=0.3", (d, c) => new CurricularFaceHead(d, c), ReferenceHeads.CurricularFace(64, 0.5, 0.3),
            AfterFloat64: h => ((CurricularFaceHead)h).T = 0.3),
        new("adaface mean=30 std=10", (d, c) => new AdaFaceHead(d, c), ReferenceHeads.AdaFace(64, 0.4, 0.333, 30, 10), FrozenNorms: true,
            AfterFloat64: h => { var a = (AdaFaceHead)h; a.BatchMean = 30; a.BatchStd = 10; }),
        new("magface", (d, c) => new MagFaceHead(d, c), ReferenceHeads.MagFace(64, 10, 110, 0.45, 0.8), HasRegulariser: true),
        new("subcenter k=3", (d, c) => new SubCenterArcFaceHead(d, c), ReferenceHeads.SubCenter(3, 30, 0.5), RowsPerClass: 3),
        new("adacos fixed", (d, c) => new AdaCosHead(d, c), ReferenceHeads.NormFace(Math.Sqrt(2) * Math.Log(ClassCount - 1))),
    ];

    public static TheoryData<string> Labels()
    {
        var data = new TheoryData<string>();
        foreach (var c in All) data.Add(c.Label);
        return data;
    }

    public static HeadCase Get(string label) => All.Single(c => c.Label == label);

    /// <summary>Random x (row norms 20..50), W (row norms 0.5..2) and labels whose formulas are at least minKink from any branch switch.</summary>
    public (double[][] X, double[][] W, long[] Y) Inputs(int seed, double minKink = 0.02)
    {
        for (var attempt = 0; attempt < 100_000; attempt++)
        {
            var rng = new Random(seed * 7919 + attempt);
            var x = Rows(rng, Batch, 20, 50);
            var w = Rows(rng, ClassCount * RowsPerClass, 0.5, 2);
            var y = Enumerable.Range(0, Batch).Select(_ => (long)rng.Next(ClassCount)).ToArray();
            Reference(x, w, y, null, out var kink);
            if (kink >= minKink) return (x, w, y);
        }
        throw new InvalidOperationException($"No inputs away from the kinks for {Label}.");
    }

    private static double[][] Rows(Random rng, int rows, double minNorm, double maxNorm)
    {
        var result = new double[rows][];
        for (var i = 0; i < rows; i++)
        {
            var v = Enumerable.Range(0, Dim).Select(_ => Gaussian(rng)).ToArray();
            var scale = (minNorm + (maxNorm - minNorm) * rng.NextDouble()) / ReferenceHeads.Norm(v);
            result[i] = v.Select(e => e * scale).ToArray();
        }
        return result;
    }

    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public static Tensor ToTensor(double[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Length, rows[0].Length }, dtype: float64);

    public static double[,] ToMatrix(Tensor t)
    {
        var data = t.detach().cpu().to(float64).data<double>().ToArray();
        var result = new double[t.shape[0], t.shape[1]];
        for (var i = 0; i < t.shape[0]; i++)
            for (var j = 0; j < t.shape[1]; j++)
                result[i, j] = data[i * t.shape[1] + j];
        return result;
    }

    /// <summary>The case's head in float64 with the given weights.</summary>
    public MarginHead MakeFloat64(double[][] w)
    {
        var head = Make(Dim, ClassCount);
        head.to(float64);
        using (no_grad())
        using (var wt = ToTensor(w))
            head.Weight.copy_(wt);
        AfterFloat64?.Invoke(head);
        return head;
    }
}
