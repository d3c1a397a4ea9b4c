using TorchSharp;
using MarginFace.Losses;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MarginFace.Tests.Losses;

[Collection(SequentialTorchCollection.Name)]
public class PartialFcClassifierTests : TorchTest
{
    private static (ArcFaceHead Full, PartialFcClassifier Partial) Pair(int features, int classes, double rate, long seed = 0)
    {
        var full = new ArcFaceHead(features, classes, s: 30, m: 0.5);
        var partial = new PartialFcClassifier(features, classes, new ArcFaceHead(1, 1, s: 30, m: 0.5), rate, seed);
        full.to(float64);
        partial.to(float64);
        using (no_grad()) partial.Weight.copy_(full.Weight);
        return (full, partial);
    }

    private static double MaxAbs(Tensor a, Tensor b) => (a - b).abs().max().item<double>();

    [Fact]
    public void AtSampleRateOneLossLogitsAndGradientsEqualTheFullHeadExactlyInFloat64()
    {
        manual_seed(1);
        var (full, partial) = Pair(6, 10, rate: 1.0);
        using var _ = full;
        using var __ = partial;
        using var scope = NewDisposeScope();
        var x1 = randn(7, 6, dtype: float64).requires_grad_();
        var x2 = x1.detach().clone().requires_grad_();
        var y = tensor(new long[] { 0, 3, 9, 3, 5, 1, 0 });

        var fullLogits = full.forward(x1, y);
        var fullLoss = F.cross_entropy(fullLogits, y);
        fullLoss.backward();
        var (logits, remapped, classes) = partial.Logits(x2, y);
        Assert.Null(classes);
        Assert.Equal(y.data<long>().ToArray(), remapped.data<long>().ToArray());
        Assert.Equal(0.0, MaxAbs(fullLogits, logits));
        var loss = partial.forward(x2, y);
        Assert.Equal(fullLoss.item<double>(), loss.item<double>());
        loss.backward();
        Assert.Equal(0.0, MaxAbs(full.Weight.grad!, partial.Weight.grad!));
        Assert.Equal(0.0, MaxAbs(x1.grad!, x2.grad!));
    }

    [Fact]
    public void SampledLogitsAreTheFullHeadsColumnsOfTheSampledClassesWithLabelsRemapped()
    {
        manual_seed(2);
        var (full, partial) = Pair(5, 40, rate: 0.25);
        using var _ = full;
        using var __ = partial;
        using var scope = NewDisposeScope();
        var x = randn(6, 5, dtype: float64);
        var y = tensor(new long[] { 7, 39, 7, 0, 22, 13 });
        partial.train();
        var (logits, remapped, classes) = partial.Logits(x, y);
        Assert.NotNull(classes);
        var ids = classes!.data<long>().ToArray();
        Assert.Equal(10, ids.Length);
        Assert.Equal(ids.Distinct().Order().ToArray(), ids);
        Assert.Equal(y.data<long>().ToArray(), remapped.data<long>().Select(i => ids[i]).ToArray());
        Assert.Equal(new long[] { 6, 10 }, logits.shape);
        var expected = full.forward(x, y).index_select(1, classes);
        Assert.True(MaxAbs(expected, logits) < 1e-12, $"max difference {MaxAbs(expected, logits):E2}");
        Assert.Equal(1, partial.Step);
    }

    [Fact]
    public void TheSampleIsReplayedForTheSameSeedEpochAndStepAndDiffersForAnotherStep()
    {
        using var partial = new PartialFcClassifier(4, 1000, new CosFaceHead(1, 1), sampleRate: 0.1, seed: 5);
        using var scope = NewDisposeScope();
        var y = tensor(new long[] { 3, 999, 500 });
        long[] Ids(long epoch, long step) => partial.Sample(y, epoch, step).Classes!.data<long>().ToArray();
        Assert.Equal(Ids(2, 3), Ids(2, 3));
        Assert.NotEqual(Ids(2, 3), Ids(2, 4));
        Assert.NotEqual(Ids(2, 3), Ids(3, 3));
        using var other = new PartialFcClassifier(4, 1000, new CosFaceHead(1, 1), sampleRate: 0.1, seed: 6);
        Assert.NotEqual(Ids(2, 3), other.Sample(y, 2, 3).Classes!.data<long>().ToArray());
        Assert.Equal(100, Ids(0, 0).Length);
        Assert.Subset(Ids(0, 0).ToHashSet(), new HashSet<long> { 3, 999, 500 });
    }

    [Fact]
    public void WhenThePositivesExceedTheSampleOnlyThePositivesAreUsed()
    {
        using var partial = new PartialFcClassifier(4, 20, new CosFaceHead(1, 1), sampleRate: 0.1);
        using var scope = NewDisposeScope();
        var y = tensor(new long[] { 4, 1, 4, 17 });
        Assert.Equal(new long[] { 1, 4, 17 }, partial.Sample(y, 0, 0).Classes!.data<long>().ToArray());
    }

    [Fact]
    public void GradientsReachOnlyTheSampledRows()
    {
        manual_seed(3);
        using var partial = new PartialFcClassifier(8, 200, new ArcFaceHead(1, 1), sampleRate: 0.05);
        using var scope = NewDisposeScope();
        var x = randn(4, 8).requires_grad_();
        var y = tensor(new long[] { 10, 150, 10, 199 });
        partial.train();
        var (logits, remapped, classes) = partial.Logits(x, y);
        F.cross_entropy(logits, remapped).backward();
        var rowNorms = partial.Weight.grad!.abs().sum(1);
        var sampled = zeros(200, dtype: ScalarType.Bool).index_fill_(0, classes!, true);
        Assert.Equal(0.0, rowNorms.masked_select(sampled.logical_not()).abs().max().item<float>());
        Assert.True(rowNorms.index_select(0, tensor(new long[] { 10, 150, 199 })).min().item<float>() > 0);
        Assert.Equal(10, classes!.shape[0]);
    }

    [Fact]
    public void TrainsATinySyntheticProblemWithAQuarterOfTheCentresPerStep()
    {
        manual_seed(4);
        const int classes = 40;
        using var scope = NewDisposeScope();
        var centres = randn(classes, 16) * 3;
        Tensor Draw(int n, out Tensor labels)
        {
            labels = randint(0, classes, [n], dtype: ScalarType.Int64);
            return centres.index_select(0, labels) + randn(n, 16) * 0.3;
        }
        using var embed = nn.Linear(16, 8);
        using var partial = new PartialFcClassifier(8, classes, new CosFaceHead(1, 1, s: 16, m: 0.2), sampleRate: 0.25, seed: 1);
        using (no_grad()) partial.Weight.normal_(0, 1); // unit-scale centres: SGD's step on a cosine is ∝ 1/|W|²
        var parameters = embed.parameters().Concat(partial.parameters()).ToList();
        using var optimizer = optim.SGD(parameters, 0.1, momentum: 0.9);
        partial.train();
        for (var step = 0; step < 300; step++)
        {
            using var stepScope = NewDisposeScope();
            var inputs = Draw(8, out var labels);
            optimizer.zero_grad();
            partial.forward(embed.forward(inputs), labels).backward();
            optimizer.step();
        }
        partial.eval();
        using var noGrad = no_grad();
        var test = Draw(400, out var testLabels);
        var predicted = partial.Cosine(embed.forward(test)).argmax(1);
        var accuracy = predicted.eq(testLabels).to(ScalarType.Float64).mean().item<double>();
        Assert.True(accuracy > 0.9, $"accuracy {accuracy:P1}");
    }

    [Fact]
    public void HeadsWithoutALogitsFromCosineStepAndBadRatesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new PartialFcClassifier(4, 10, new SoftmaxHead(1, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PartialFcClassifier(4, 10, new CosFaceHead(1, 1), sampleRate: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PartialFcClassifier(4, 10, new CosFaceHead(1, 1), sampleRate: 1.5));
    }

    [Fact]
    public void CentresShardedOverThreeDevicesGiveTheLossAndGradientsOfOneShardInFloat64()
    {
        manual_seed(7);
        using var one = new PartialFcClassifier(6, 50, new CurricularFaceHead(1, 1, s: 16, m: 0.3), sampleRate: 0.3, seed: 4, dtype: float64);
        using var three = new PartialFcClassifier(6, 50, new CurricularFaceHead(1, 1, s: 16, m: 0.3), sampleRate: 0.3, seed: 4, shardDevices: [CPU, CPU, CPU], dtype: float64);
        Assert.Equal([0L, 16, 33, 50], Enumerable.Range(0, 4).Select(three.ShardStart));
        using (no_grad())
            for (int i = 0; i < 3; i++) three.Shards[i].copy_(one.Weight.narrow(0, three.ShardStart(i), three.ShardStart(i + 1) - three.ShardStart(i)));
        using var scope = NewDisposeScope();
        var x1 = randn(9, 6, dtype: float64).requires_grad_();
        var x2 = x1.detach().clone().requires_grad_();
        var y = tensor(new long[] { 0, 15, 16, 49, 33, 32, 7, 16, 48 });
        one.train();
        three.train();

        for (int step = 0; step < 2; step++)
        {
            var expected = one.forward(x1, y);
            var actual = three.forward(x2, y);
            Assert.True(Math.Abs(expected.item<double>() - actual.item<double>()) < 1e-12, $"step {step}: loss");
            expected.backward();
            actual.backward();
        }
        using var gradients = cat(three.Shards.Select(s => s.grad!).ToArray(), 0);
        Assert.True(MaxAbs(one.Weight.grad!, gradients) < 1e-12, "centre gradients");
        Assert.True(MaxAbs(x1.grad!, x2.grad!) < 1e-12, "embedding gradients");
        Assert.True(MaxAbs(one.Cosine(x1.detach()), three.Cosine(x2.detach())) < 1e-12, "evaluation cosine");
        Assert.Throws<InvalidOperationException>(() => three.Weight);
    }

    [Fact]
    public void MovingAShardedClassifierLeavesItsShardsWhereTheyAre()
    {
        using var sharded = new PartialFcClassifier(4, 10, new ArcFaceHead(1, 1), sampleRate: 0.5, shardDevices: [CPU, CPU]);
        var before = sharded.Shards.ToList();
        sharded.to(CPU);
        Assert.Equal(["weight_0", "weight_1", "margin.weight"], sharded.named_parameters().Select(p => p.name));
        Assert.All(before.Zip(sharded.Shards), p => Assert.Same(p.First, p.Second));
        Assert.Throws<ArgumentException>(() => new PartialFcClassifier(4, 2, new ArcFaceHead(1, 1), shardDevices: [CPU, CPU, CPU]));
    }
}
