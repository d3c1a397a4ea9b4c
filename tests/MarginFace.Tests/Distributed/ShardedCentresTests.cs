using MarginFace.Distributed;
using MarginFace.Losses;
using MarginFace.Tests.Support;
using MarginFace.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MarginFace.Tests.Distributed;

/// <summary>
/// A rank holds only its shard of the Partial FC centres: its initial rows are the one-process matrix's bit for bit without
/// the rest being kept, the objective's tensors hold Count×D values three times (centres, gradient, momentum), and a
/// checkpoint gathered to rank 0 is in the one-process layout and gives each rank its rows back.
/// </summary>
public class ShardedCentresTests : TorchTest
{
    private static readonly object Creation = new();

    /// <summary>Same shape and the same values, element for element.</summary>
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.equal(b).all().item<bool>();

    /// <summary>
    /// nn.init.normal_ of the whole [C, D] against the rows drawn piece by piece: shapes below 16 elements, exactly 16, a
    /// tail that is not a multiple of 16, pieces of 16, 32 and 48 elements and the default; float32 and float64. The
    /// generator must also end where the whole draw leaves it.
    /// </summary>
    [Theory]
    [InlineData(7, 2, 2, 16)]
    [InlineData(8, 2, 2, 16)]
    [InlineData(9, 2, 3, 16)]
    [InlineData(101, 37, 2, 32)]
    [InlineData(101, 37, 3, 48)]
    [InlineData(1000, 8, 4, 1 << 20)]
    [InlineData(61, 3, 2, 48, true)]
    public void EachRanksInitialRowsAreTheOneProcessMatrixsRowsBitForBit(int classes, int features, int ranks, long piece, bool float64Centres = false)
    {
        var dtype = float64Centres ? ScalarType.Float64 : ScalarType.Float32;
        manual_seed(11);
        using var whole = empty(classes, features, dtype: dtype);
        using (no_grad()) nn.init.normal_(whole, 0, 0.01);
        using var next = rand(5);
        var parts = new List<Tensor>();
        for (var r = 0; r < ranks; r++)
        {
            var (start, count) = ShardedPartialFc.ShardRange(classes, r, ranks);
            manual_seed(11);
            parts.Add(ShardedPartialFc.InitialRows(classes, features, start, count, 0.01, dtype, piece));
            using var after = rand(5);
            Assert.True(Same(after, next), $"rank {r}: the generator ends elsewhere than after the whole draw");
        }
        using var joined = cat(parts, 0);
        Assert.True(Same(joined, whole), $"largest difference {(joined - whole).abs().max().to(ScalarType.Float64).item<double>()}");
        foreach (var part in parts) part.Dispose();
    }

    /// <summary>
    /// The classifiers built for 2 ranks (<see cref="LossSettings.Ranks"/>) hold [4, D] and [3, D] of the 7 classes; their rows
    /// in rank order are one process's classifier, bit for bit.
    /// </summary>
    [Fact]
    public void RankClassifiersTogetherAreOneProcesssClassifier()
    {
        var settings = new LossSettings { PartialFcSampleRate = 1.0 };
        manual_seed(3);
        using var one = (PartialFcObjective)LossRegistry.Create("cosface", 5, 7, settings);
        var parts = new List<PartialFcObjective>();
        for (var r = 0; r < 2; r++)
        {
            manual_seed(3);
            parts.Add((PartialFcObjective)LossRegistry.Create("cosface", 5, 7, settings with { Ranks = (r, 2) }));
        }
        Assert.Equal([4L, 5L], parts[0].Classifier.Weight.shape);
        Assert.Equal([3L, 5L], parts[1].Classifier.Weight.shape);
        Assert.Equal((4L, 3L), parts[1].Classifier.HeldRows);
        using var joined = cat(parts.Select(p => (Tensor)p.Classifier.Weight).ToArray(), 0);
        Assert.True(Same(joined, one.Classifier.Weight));
        foreach (var part in parts) part.Dispose();

        // A margin that cannot be sharded (CurricularFace needs every row's target cosine) keeps every row.
        using var curricular = (PartialFcObjective)LossRegistry.Create("curricularface", 5, 7, settings with { Ranks = (1, 2) });
        Assert.Null(curricular.Classifier.HeldRows);
        Assert.Equal([7L, 5L], curricular.Classifier.Weight.shape);
    }

    /// <summary>
    /// The memory claim, per rank of 2, over 1000 classes of 16 dimensions after one SGD step: every parameter and buffer of
    /// the modules the objective owns, their gradients and the optimiser's momentum add up to 3·Count·D plus the margin head's
    /// unused [1, D] weight: 3 × 500 × 16 + 16 = 24,016 values, against C·D = 16,000 for the whole matrix alone.
    /// </summary>
    [Fact]
    public void EachRankHoldsItsShardItsGradientAndItsMomentumAndNothingOfTheWholeMatrix()
    {
        const int classes = 1000, features = 16;
        using var generator = new Generator(2);
        var x = randn(new long[] { 8, features }, generator: generator);
        var labels = tensor(new long[] { 3, 999, 500, 12, 640, 3, 77, 501 });
        var counts = ThreadCollective.Run(2, collective =>
        {
            PartialFcObjective created;
            lock (Creation)
            {
                manual_seed(1);
                created = (PartialFcObjective)LossRegistry.Create("cosface", features, classes,
                    new LossSettings { PartialFcSampleRate = 1.0, Ranks = (collective.Rank, collective.Size) });
            }
            using var objective = new ShardedPartialFcObjective(created.Classifier, collective, 0);
            using var optimizer = new FlatSgd([new SGD.ParamGroup(objective.Parameters, lr: 0.1, momentum: 0.9)], 0.1);
            objective.Optimizer = optimizer;
            var rows = x.narrow(0, collective.Rank * 4, 4).clone().requires_grad_();
            objective.BeginStep(1, 1);
            var loss = objective.Compute(rows, labels.narrow(0, collective.Rank * 4, 4));
            optimizer.zero_grad();
            objective.Backward(loss);
            optimizer.step();

            var owned = objective.Modules.SelectMany(m => m.parameters().Concat(m.buffers())).ToList();
            var values = owned.Sum(t => t.numel()) + owned.Sum(t => t.grad?.numel() ?? 0)
                + (optimizer.StateOf(objective.Shard)?.momentum_buffer?.numel() ?? 0);
            Assert.NotNull(optimizer.StateOf(objective.Shard)?.momentum_buffer);
            Assert.All(owned, t => Assert.True(t.numel() <= objective.Count * features, $"a tensor of {t.numel()} values"));
            return values;
        });
        Assert.Equal([3L * 500 * features + features, 3L * 500 * features + features], counts);
    }

    /// <summary>
    /// A checkpoint of 2 ranks over 7 classes (4 + 3), gathered to rank 0 in blocks of 3 rows that it writes at their rows as
    /// they come, after one step: read by one process it holds the ranks' centres and momentum concatenated ([7, D]); read
    /// back by each rank, it gives that rank exactly its rows of both.
    /// </summary>
    [Fact]
    public void ACheckpointGatheredToRankZeroIsTheOneProcessLayoutAndEachRankReadsItsRowsBack()
    {
        const int classes = 7, features = 4;
        using var work = new TempDirectory();
        var path = work.Combine("model.bin");
        var x = randn(new long[] { 4, features });
        var labels = tensor(new long[] { 6, 0, 3, 4 });
        var state = new TrainingCheckpointState("f", 1, 1, 0, 0, 0, 0, [], new Dictionary<string, double>(), null);
        (ShardedPartialFcObjective Objective, FlatSgd Optimizer) Build(ICollective collective)
        {
            PartialFcObjective created;
            lock (Creation)
            {
                manual_seed(4);
                created = (PartialFcObjective)LossRegistry.Create("cosface", features, classes, new LossSettings { PartialFcSampleRate = 1.0, Ranks = (collective.Rank, collective.Size) });
            }
            // Blocks of 3 rows for the gather (2 ranks × 3 × 4 float32): the 4 + 3 rows go in two gathers, the second padded.
            var objective = new ShardedPartialFcObjective(created.Classifier, collective, 0) { GatherBlockBytes = 2 * 3 * features * 4 };
            var optimizer = new FlatSgd([new SGD.ParamGroup(objective.Parameters, lr: 0.1, momentum: 0.9)], 0.1);
            objective.Optimizer = optimizer;
            return (objective, optimizer);
        }
        var written = ThreadCollective.Run(2, collective =>
        {
            var (objective, optimizer) = Build(collective);
            var rows = x.narrow(0, collective.Rank * 2, 2).clone().requires_grad_();
            objective.BeginStep(1, 1);
            var loss = objective.Compute(rows, labels.narrow(0, collective.Rank * 2, 2));
            optimizer.zero_grad();
            objective.Backward(loss);
            optimizer.step();
            objective.BeforeCheckpoint();
            Assert.Equal(collective.Rank == 0, objective.Classifier.WeightWriter is not null);
            if (collective.Rank == 0) Checkpoint.Save(path, state, objective.Modules, [optimizer]);
            objective.AfterCheckpoint();
            Assert.Equal([objective.Count, features], optimizer.StateOf(objective.Shard)!.momentum_buffer!.shape);
            return (Centres: objective.Shard.detach().clone(), Momentum: optimizer.StateOf(objective.Shard)!.momentum_buffer!.clone());
        });

        using var one = (PartialFcObjective)LossRegistry.Create("cosface", features, classes, new LossSettings { PartialFcSampleRate = 1.0 });
        using var oneOptimizer = new FlatSgd([new SGD.ParamGroup(one.Parameters, lr: 0.1, momentum: 0.9)], 0.1);
        Checkpoint.Load(path, one.Modules, [oneOptimizer]);
        Assert.True(Same(one.Classifier.Weight, cat([written[0].Centres, written[1].Centres], 0)));
        Assert.True(Same(oneOptimizer.StateOf(one.Classifier.Weight)!.momentum_buffer!, cat([written[0].Momentum, written[1].Momentum], 0)));

        var read = ThreadCollective.Run(2, collective =>
        {
            var (objective, optimizer) = Build(collective);
            Checkpoint.Load(path, objective.Modules, [optimizer]);
            return (Centres: objective.Shard.detach().clone(), Momentum: optimizer.StateOf(objective.Shard)!.momentum_buffer!.clone());
        });
        for (var r = 0; r < 2; r++)
        {
            Assert.True(Same(read[r].Centres, written[r].Centres), $"rank {r}: centres");
            Assert.True(Same(read[r].Momentum, written[r].Momentum), $"rank {r}: momentum");
        }
    }
}
