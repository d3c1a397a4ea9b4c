using TorchSharp.Modules;
using TorchSharp;
using MarginFace.Losses;
using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Tests.Training;

/// <summary>
/// The data-parallel path on several CPU "devices" (the same code runs on CUDA devices): a batch split across replicas gives
/// the embeddings and gradients of the whole batch on one device, and training with replicas ends where training without them does.
/// </summary>
[Collection(SequentialTorchCollection.Name)]
public class DataParallelBackboneTests : TorchTest
{
    /// <summary>A small network without batch statistics that records the batch sizes it is given.</summary>
    private sealed class Network : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential layers = nn.Sequential(nn.Flatten(), nn.Linear(12, 10), nn.Tanh(), nn.Linear(10, 4));

        public Network(ScalarType dtype) : base(nameof(Network))
        {
            RegisterComponents();
            this.to(dtype);
        }

        public List<long> Seen { get; } = [];

        public override Tensor forward(Tensor input)
        {
            Seen.Add(input.shape[0]);
            return layers.forward(input);
        }
    }

    private static void CopyWeights(nn.Module from, nn.Module to)
    {
        using var noGrad = no_grad();
        foreach (var (source, target) in from.parameters().Zip(to.parameters())) target.copy_(source);
    }

    private static double MaxAbs(Tensor a, Tensor b)
    {
        using var difference = (a.to(float64) - b.to(float64)).abs().max();
        return difference.item<double>();
    }

    [Theory]
    [InlineData(10, 3, new long[] { 4, 3, 3 })]
    [InlineData(9, 3, new long[] { 3, 3, 3 })]
    [InlineData(2, 4, new long[] { 1, 1 })]
    [InlineData(5, 1, new long[] { 5 })]
    public void ABatchIsSplitIntoNearEqualNonEmptyParts(long count, int devices, long[] sizes) =>
        Assert.Equal(sizes, DataParallelBackbone.PartSizes(count, devices));

    [Fact]
    public void ASplitBatchGivesTheEmbeddingsAndGradientsOfTheWholeBatchInFloat64()
    {
        manual_seed(3);
        using var single = new Network(float64);
        using var master = new Network(float64);
        CopyWeights(single, master);
        var replicas = new List<Network>();
        using var parallel = new DataParallelBackbone(master, () => { var r = new Network(float64); replicas.Add(r); return r; }, [CPU, CPU, CPU]);
        using var scope = NewDisposeScope();
        var images = randn(7, 1, 3, 4, dtype: float64);

        var expected = single.forward(images);
        var actual = parallel.Forward(images);
        // Rows of a matrix product may round differently with the batch size and the thread count (which tests running beside this
        // one set), so the parts agree with the whole batch to float64 rounding, not always to the bit.
        Assert.True(MaxAbs(expected, actual) < 1e-14, "a row's embedding does not depend on the other rows of its batch");
        Assert.Equal([3L], master.Seen);
        Assert.Equal([[2L], [2L]], replicas.Select(r => r.Seen));
        (expected.pow(2).sum() + expected.sum(dim: 0).pow(3).sum()).backward();
        (actual.pow(2).sum() + actual.sum(dim: 0).pow(3).sum()).backward();
        parallel.ReduceGradients();

        foreach (var (one, many) in single.parameters().Zip(master.parameters()))
            Assert.True(MaxAbs(one.grad!, many.grad!) < 1e-12, "the master's gradient is the whole batch's");
    }

    [Fact]
    public void TrainingWithReplicasEndsWithTheWeightsOfTrainingOnOneDevice()
    {
        manual_seed(5);
        var images = randn(48, 1, 3, 4);
        var labels = arange(48).remainder(6);
        float[] Train(int devices)
        {
            manual_seed(9);
            using var backbone = new Network(float32);
            using var objective = new HeadObjective(new ArcFaceHead(4, 6, s: 8, m: 0.2));
            using var optimizer = optim.SGD(backbone.parameters().Concat(objective.Parameters), 0.1, momentum: 0.9);
            using var parallel = devices > 1 ? new DataParallelBackbone(backbone, () => new Network(float32), [.. Enumerable.Repeat(CPU, devices)]) : null;
            var trainer = new Trainer(backbone, objective, optimizer, CPU, new TrainerOptions { Epochs = 2, Seed = 2, GradientClipNorm = 5 }, parallel);
            trainer.Fit(images, labels, batchSize: 16);
            Assert.Equal(Enumerable.Repeat(16L / devices + (16 % devices > 0 ? 1 : 0), 6), backbone.Seen);
            return [.. backbone.parameters().SelectMany(p => p.data<float>().ToArray())];
        }

        var one = Train(1);
        var three = Train(3);
        Assert.Equal(one.Length, three.Length);
        Assert.True(one.Zip(three).Max(p => Math.Abs(p.First - p.Second)) < 1e-5, "weights after 6 steps differ beyond float32 rounding");
    }

    [Fact]
    public void ReplicasTakeTheMastersWeightsAndRunningStatisticsAfterEachStep()
    {
        manual_seed(4);
        static Sequential WithBatchNorm() => nn.Sequential(nn.Conv2d(1, 3, 3, padding: 1), nn.BatchNorm2d(3), nn.Flatten(), nn.Linear(48, 4));
        using var master = WithBatchNorm();
        Sequential? replica = null;
        using var parallel = new DataParallelBackbone(master, () => replica = WithBatchNorm(), [CPU, CPU]);
        using var optimizer = optim.SGD(master.parameters(), 0.5);
        using (var scope = NewDisposeScope())
        {
            master.train();
            var embeddings = parallel.Forward(randn(6, 1, 4, 4));
            embeddings.pow(2).mean().backward();
            parallel.ReduceGradients();
            optimizer.step();
            parallel.Broadcast();
        }
        Assert.NotNull(replica);
        foreach (var (m, r) in master.parameters().Zip(replica!.parameters())) Assert.Equal(0.0, MaxAbs(m, r));
        foreach (var (m, r) in master.buffers().Zip(replica.buffers())) Assert.Equal(0.0, MaxAbs(m, r));
        Assert.All(replica.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void AReplicaOfAnotherArchitectureIsRefused()
    {
        using var master = new Network(float32);
        Assert.Throws<ArgumentException>(() => new DataParallelBackbone(master, () => nn.Sequential(nn.Flatten(), nn.Linear(12, 4)), [CPU, CPU]));
    }
}
