using MarginFace.Distributed;
using MarginFace.Tests.Support;
using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Tests.Distributed;

public class RankBatchSourceTests : TorchTest
{
    [Fact]
    public void EachRankTakesItsEqualPartOfEveryBatchAndTheRanksTogetherHoldTheWholeBatch()
    {
        var images = arange(24 * 2, dtype: float32).reshape(24, 1, 1, 2);
        var labels = arange(24, dtype: int64);
        var whole = new TensorBatchSource(images, labels, 8, seed: 5);
        var parts = Enumerable.Range(0, 2).Select(rank => new RankBatchSource(new TensorBatchSource(images, labels, 8, seed: 5), rank, 2)).ToArray();
        Assert.Equal(whole.Steps(2), parts[1].Steps(2));
        var expected = whole.Read(2, 1).Select(b => b.Labels.data<long>().ToArray()).ToList();
        var got = parts.Select(p => p.Read(2, 1).Select(b => b.Labels.data<long>().ToArray()).ToList()).ToArray();
        Assert.Equal(expected.Count, got[0].Count);
        for (var step = 0; step < expected.Count; step++)
        {
            Assert.Equal(expected[step][..4], got[0][step]);
            Assert.Equal(expected[step][4..], got[1][step]);
        }
    }

    [Fact]
    public void ABatchThatDoesNotSplitEvenlyIsAOneLineError()
    {
        var source = new RankBatchSource(new TensorBatchSource(zeros(9, 1, 1, 1), zeros(9, dtype: int64), 3, seed: 0), 0, 2);
        var error = Assert.Throws<MarginFaceException>(() => source.Read(1, 0).ToList());
        Assert.Equal("a batch of 3 images does not split into 2 equal parts (epoch 1); choose a batch size divisible by the number of processes", error.Message);
    }

    [Fact]
    public void AMultiProcessRunTakesOneDevicePerProcessABatchThatSplitsAndNoPkPlan()
    {
        var options = new FaceTrainingOptions { Data = "faces", BatchSize = 12 };
        DistributedRun.Validate(options, devices: 2, ranks: 1);
        DistributedRun.Validate(options, devices: 1, ranks: 3);
        Assert.Equal("2 devices in each of 2 processes: a multi-process run takes one device per process (start one process per device)",
            Assert.Throws<MarginFaceException>(() => DistributedRun.Validate(options, 2, 2)).Message);
        Assert.Equal("FaceTrainingOptions.BatchSize = 12 does not split into 5 equal parts; choose a multiple of the number of processes",
            Assert.Throws<MarginFaceException>(() => DistributedRun.Validate(options, 1, 5)).Message);
        Assert.StartsWith("FaceTrainingOptions.Pk: P×K batches",
            Assert.Throws<MarginFaceException>(() => DistributedRun.Validate(options with { Loss = "triplet", Pk = new MarginFace.Losses.Mining.PkBatchPlan(2, 2) }, 1, 2)).Message);
        Assert.Equal("cuda:0", DistributedLaunch.DeviceFor("cuda", 2));
        Assert.Equal("cuda", DistributedLaunch.DeviceFor("cuda", 1));
        Assert.Equal("cuda:1", DistributedLaunch.DeviceFor("cuda:1", 2));
    }

    [Fact]
    public void OneProcessCollectivesAreTheIdentityAndTheGradientBucketsHoldAtMost25MegabytesEach()
    {
        var single = SingleProcess.Instance;
        var x = tensor(new[] { 1.0, 2.0 });
        single.AllReduceSum(x);
        Assert.Equal([1.0, 2.0], x.data<double>().ToArray());
        Assert.Equal(7, single.BroadcastValue(7));
        using var big = nn.Linear(2048, 2048);
        using var small = nn.Linear(4, 4);
        var ddp = new DistributedDataParallel(single, big.parameters().Concat(small.parameters()).Concat(big.parameters()), []);
        Assert.Equal([(0, 4), (4, 6)], ddp.Buckets);
        Assert.Equal((2.0, (long?)null), ddp.ReduceStep(2.0, null));
    }
}
