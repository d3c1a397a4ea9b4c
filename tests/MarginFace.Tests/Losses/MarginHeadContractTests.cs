using TorchSharp;
using MarginFace.Losses;
using static TorchSharp.torch;

namespace MarginFace.Tests.Losses;

/// <summary>Module contract, argument validation, factory, state updates and trainability of the heads.</summary>
public class MarginHeadContractTests : TorchTest
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var n in MarginHeadFactory.Names) data.Add(n);
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void WeightIsTheOnlyRegisteredParameterAndFloat64WorksEndToEnd(string name)
    {
        using var head = MarginHeadFactory.Create(name, 6, 4);
        var parameters = head.parameters().ToList();
        Assert.Single(parameters);
        Assert.Equal(head.Weight.Handle, parameters[0].Handle);
        Assert.Equal(new long[] { name == "subcenter" ? 12 : 4, 6 }, head.Weight.shape);

        head.to(float64);
        head.train();
        Assert.Equal(ScalarType.Float64, head.Weight.dtype);
        Assert.All(head.buffers(), b => Assert.Equal(ScalarType.Float64, b.dtype));
        using var scope = NewDisposeScope();
        var x = randn(3, 6, dtype: float64).requires_grad_();
        var y = tensor(new long[] { 0, 3, 1 });
        var logits = head.forward(x, y);
        Assert.Equal(ScalarType.Float64, logits.dtype);
        Assert.Equal(new long[] { 3, 4 }, logits.shape);
        var loss = nn.functional.cross_entropy(logits, y);
        if (head.AuxiliaryLoss is not null) loss = loss + head.AuxiliaryLoss;
        loss.backward();
        Assert.Equal(ScalarType.Float64, head.Weight.grad!.dtype);
        Assert.Equal(ScalarType.Float64, x.grad!.dtype);
        Assert.Equal(new long[] { 3, 4 }, head.Cosine(x).shape);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void OneGradientStepReducesCrossEntropyOnASeparableProblem(string name)
    {
        using var head = MarginHeadFactory.Create(name, 4, 4);
        head.eval(); // fixed state, so the loss before and after the step is the same function
        using var scope = NewDisposeScope();
        manual_seed(11);
        var x = (eye(4) * 3 + randn(4, 4) * 0.1).requires_grad_();
        var y = tensor(new long[] { 0, 1, 2, 3 });

        Tensor Loss()
        {
            var loss = nn.functional.cross_entropy(head.forward(x, y), y);
            return head.AuxiliaryLoss is null ? loss : loss + head.AuxiliaryLoss;
        }

        var before = Loss();
        before.backward();
        using (no_grad())
        {
            foreach (var p in new[] { x, head.Weight })
                p.sub_(p.grad! * (1e-3 / p.grad!.norm().item<float>()));
        }
        var after = Loss();
        Assert.True(after.item<float>() < before.item<float>(), $"{name}: {before.item<float>()} -> {after.item<float>()}");
    }

    [Fact]
    public void BadLabelsThrowArgumentExceptionNamingLabels()
    {
        using var head = new ArcFaceHead(3, 4);
        using var x = randn(2, 3);
        void Check(Tensor labels) => Assert.Equal("labels", Assert.ThrowsAny<ArgumentException>(() => head.forward(x, labels)).ParamName);
        Check(tensor(new int[] { 0, 1 }));
        Check(tensor(new long[] { 0, 1, 2 }));
        Check(tensor(new long[] { 0, 1, 2, 3 }, 2, 2));
        Check(tensor(new long[] { 0, 4 }));
        Check(tensor(new long[] { -1, 0 }));
    }

    [Fact]
    public void BadEmbeddingsThrowArgumentExceptionNamingEmbeddings()
    {
        using var head = new CosFaceHead(3, 4);
        using var y = tensor(new long[] { 0, 1 });
        void Check(Tensor x) => Assert.Equal("embeddings", Assert.ThrowsAny<ArgumentException>(() => head.forward(x, y)).ParamName);
        Check(randn(2, 5));
        Check(randn(2, 3, 1));
        Check(randn(2, 3, dtype: float64));
        Assert.Equal("embeddings", Assert.ThrowsAny<ArgumentException>(() => head.Cosine(randn(3))).ParamName);
    }

    [Fact]
    public void BadMarginParametersThrowNamingTheParameter()
    {
        Assert.Equal("m", Assert.ThrowsAny<ArgumentException>(() => new SphereFaceHead(3, 4, m: 2.5)).ParamName);
        Assert.Equal("m", Assert.ThrowsAny<ArgumentException>(() => new SphereFaceHead(3, 4, m: 6)).ParamName);
        Assert.Equal("s", Assert.ThrowsAny<ArgumentException>(() => new ArcFaceHead(3, 4, s: -1)).ParamName);
        Assert.Equal("m", Assert.ThrowsAny<ArgumentException>(() => new ArcFaceHead(3, 4, m: 4)).ParamName);
        Assert.Equal("s", Assert.ThrowsAny<ArgumentException>(() => new NormFaceHead(3, 4, s: double.NaN)).ParamName);
        Assert.Equal("k", Assert.ThrowsAny<ArgumentException>(() => new SubCenterArcFaceHead(3, 4, k: 0)).ParamName);
        Assert.Equal("ua", Assert.ThrowsAny<ArgumentException>(() => new MagFaceHead(3, 4, la: 10, ua: 5)).ParamName);
        Assert.Equal("features", Assert.ThrowsAny<ArgumentException>(() => new SoftmaxHead(0, 4)).ParamName);
        using var arc = new ArcFaceHead(3, 4);
        Assert.Equal("m", Assert.ThrowsAny<ArgumentException>(() => arc.M = -0.1).ParamName);
        arc.M = 1.5;
        Assert.Equal(1.5, arc.M);
    }

    [Fact]
    public void FactoryRejectsUnknownNamesListingTheKnownOnes()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => MarginHeadFactory.Create("lsoftmax", 3, 4));
        Assert.Equal("name", e.ParamName);
        Assert.All(MarginHeadFactory.Names, n => Assert.Contains(n, e.Message));
        Assert.Equal(
            ["softmax", "modified", "normface", "sphereface", "cosface", "arcface", "combined", "adacos", "curricularface", "adaface", "magface", "subcenter"],
            MarginHeadFactory.Names);
        Assert.ThrowsAny<ArgumentException>(() => MarginHeadFactory.Create("arcface", 3, 4, new Dictionary<string, double> { ["q"] = 1 }));
    }

    [Fact]
    public void FactoryPassesParametersIgnoringCaseAndUnderscores()
    {
        using var arc = (ArcFaceHead)MarginHeadFactory.Create("ArcFace", 3, 4, new Dictionary<string, double> { ["s"] = 64, ["m"] = 1.2, ["easy_margin"] = 1 });
        Assert.Equal((64.0, 1.2, true), (arc.S, arc.M, arc.EasyMargin));
        using var ada = (AdaFaceHead)MarginHeadFactory.Create("adaface", 3, 4, new Dictionary<string, double> { ["t_alpha"] = 0.5 });
        Assert.Equal(0.5, ada.TAlpha);
        using var sub = (SubCenterArcFaceHead)MarginHeadFactory.Create("subcenter", 3, 4, new Dictionary<string, double> { ["k"] = 2 });
        Assert.Equal(2, sub.K);
        Assert.IsType<SphereFaceHead>(MarginHeadFactory.Create("sphereface", 3, 4));
    }

    [Fact]
    public void SphereFaceUsesLambdaOfTheCurrentIterationAndCountsOnlyTrainingForwards()
    {
        using var head = new SphereFaceHead(6, 5);
        head.to(float64);
        head.Iteration = 7;
        Assert.Equal(Math.Max(5, 1000 / (1 + 0.12 * 7)), head.CurrentLambda, 12);
        var c = HeadCase.All.Single(h => h.Label == "sphereface m=4 t=10");
        var (x, w, y) = c.Inputs(1, 0);
        using (no_grad()) head.Weight.copy_(HeadCase.ToTensor(w));
        var expected = ReferenceHeads.SphereFace(4, ReferenceHeads.Lambda(1000, 0.12, 1, 5, 7))(x, w, y, null, out _);
        head.train();
        using var logits = head.forward(HeadCase.ToTensor(x), tensor(y));
        Assert.True(MarginHeadFormulaTests.RelativeError(HeadCase.ToMatrix(logits), expected) < 1e-12);
        Assert.Equal(8, head.Iteration);
        head.eval();
        using var again = head.forward(HeadCase.ToTensor(x), tensor(y));
        Assert.Equal(8, head.Iteration);
        head.Iteration = 1_000_000;
        Assert.Equal(5, head.CurrentLambda);
    }

    [Fact]
    public void CurricularFaceMovesTOnlyInTraining()
    {
        using var head = new CurricularFaceHead(6, 5);
        head.to(float64);
        using var x = randn(4, 6, dtype: float64);
        using var y = tensor(new long[] { 0, 1, 2, 3 });
        head.eval();
        using (var _ = head.forward(x, y)) Assert.Equal(0.0, head.T);
        head.train();
        using var cosY = head.Cosine(x).gather(1, y.unsqueeze(1));
        using (var _ = head.forward(x, y)) Assert.Equal(0.01 * cosY.mean().item<double>(), head.T, 14);
    }

    [Fact]
    public void AdaFaceUpdatesNormStatisticsByExponentialAverage()
    {
        using var head = new AdaFaceHead(6, 5, tAlpha: 0.1);
        head.to(float64);
        head.train();
        using var x = randn(4, 6, dtype: float64) * 10;
        using var y = tensor(new long[] { 0, 1, 2, 3 });
        using var norms = x.norm(1, false).clip(0.001, 100);
        using (var _ = head.forward(x, y)) { }
        Assert.Equal(0.1 * norms.mean().item<double>() + 0.9 * 20, head.BatchMean, 12);
        Assert.Equal(0.1 * norms.std().item<double>() + 0.9 * 100, head.BatchStd, 12);
        using (var _ = head.forward(x[..1], y[..1])) { } // a batch of one leaves the std alone
        Assert.True(double.IsFinite(head.BatchStd));
    }

    [Fact]
    public void AdaCosUpdatesItsScaleFromTheBatchInTraining()
    {
        using var head = new AdaCosHead(6, 5);
        head.to(float64);
        var s0 = Math.Sqrt(2) * Math.Log(4);
        Assert.Equal(s0, head.S, 14);
        using var x = randn(4, 6, dtype: float64);
        long[] labels = [0, 1, 2, 3];
        using var y = tensor(labels);
        var cos = HeadCase.ToMatrix(head.Cosine(x));
        var bAvg = Enumerable.Range(0, 4).Select(i => Enumerable.Range(0, 5).Where(j => j != labels[i]).Sum(j => Math.Exp(s0 * cos[i, j]))).Average();
        var thetas = Enumerable.Range(0, 4).Select(i => Math.Acos(cos[i, labels[i]])).Order().ToArray();
        var median = thetas[1]; // torch.median: the lower of the two middle values
        head.train();
        using (var _ = head.forward(x, y)) { }
        Assert.Equal(Math.Log(bAvg) / Math.Cos(Math.Min(Math.PI / 4, median)), head.S, 10);
        head.eval();
        var s1 = head.S;
        using (var _ = head.forward(x, y)) Assert.Equal(s1, head.S);
    }

    [Fact]
    public void MagFaceExposesItsRegulariserAsAuxiliaryLoss()
    {
        using var head = new MagFaceHead(6, 5);
        head.to(float64);
        var (x, w, y) = HeadCase.All.Single(h => h.Label == "magface").Inputs(2, 0);
        Assert.Null(head.AuxiliaryLoss);
        using var _ = head.forward(HeadCase.ToTensor(x), tensor(y));
        Assert.Equal(ReferenceHeads.MagRegulariser(x, 10, 110, 35), head.AuxiliaryLoss!.item<double>(), 12);
        using var arc = new ArcFaceHead(6, 5);
        using var __ = arc.forward(randn(2, 6), tensor(new long[] { 0, 1 }));
        Assert.Null(arc.AuxiliaryLoss);
    }
}
