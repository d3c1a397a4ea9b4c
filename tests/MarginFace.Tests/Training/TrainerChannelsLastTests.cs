using MarginFace.Losses;
using MarginFace.Runtime;
using MarginFace.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MarginFace.Tests.Training;

[Collection(SequentialTorchCollection.Name)]
public class TrainerChannelsLastTests : TorchTest
{
    /// <summary>A small convolutional backbone that records the layout of every batch it is given.</summary>
    private sealed class LayoutSpy : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential layers;

        public LayoutSpy() : base(nameof(LayoutSpy))
        {
            layers = nn.Sequential(nn.Conv2d(3, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.PReLU(8), nn.Conv2d(8, 8, 3, stride: 2, padding: 1, groups: 8),
                nn.Flatten(), nn.Linear(8 * 4 * 4, 4));
            RegisterComponents();
        }

        public List<bool> ChannelsLastInputs { get; } = [];

        public override Tensor forward(Tensor input)
        {
            ChannelsLastInputs.Add(MemoryLayout.IsChannelsLast(input));
            return layers.forward(input);
        }
    }

    /// <summary>Two epochs of three steps from the weights of seed 5.</summary>
    private static (LayoutSpy Backbone, IReadOnlyList<EpochResult> Epochs) Train(bool channelsLast)
    {
        manual_seed(5);
        var backbone = new LayoutSpy();
        using var objective = new HeadObjective(new CosFaceHead(4, 3, s: 8, m: 0.2));
        using var optimizer = new FlatSgd([new SGD.ParamGroup(backbone.parameters().Concat(objective.Parameters), lr: 0.05, momentum: 0.9)], 0.05);
        var trainer = new Trainer(backbone, objective, optimizer, CPU, new TrainerOptions { Epochs = 2, Seed = 3, ChannelsLast = channelsLast });
        using var generator = new Generator(7);
        var x = randn([24, 3, 8, 8], generator: generator);
        var y = arange(24, dtype: int64) % 3;
        return (backbone, trainer.Fit(new TensorBatchSource(x, y, 8, 3), null));
    }

    [Fact]
    public void ChannelsLastFeedsTheBackboneNhwcBatchesAndTrainsToTheSameNumbersAsNchwUpToRounding()
    {
        var (nchw, nchwEpochs) = Train(channelsLast: false);
        var (reference, referenceEpochs) = Train(channelsLast: false);
        var (nhwc, nhwcEpochs) = Train(channelsLast: true);

        Assert.All(nchw.ChannelsLastInputs, Assert.False);
        Assert.Equal(6, nhwc.ChannelsLastInputs.Count);
        Assert.All(nhwc.ChannelsLastInputs, Assert.True);
        Assert.Equal(nchwEpochs.Select(e => e.MeanLoss), referenceEpochs.Select(e => e.MeanLoss));
        for (var epoch = 0; epoch < 2; epoch++)
            Assert.Equal(nchwEpochs[epoch].MeanLoss, nhwcEpochs[epoch].MeanLoss, 4);
        var trained = nhwc.state_dict();
        foreach (var (name, value) in nchw.state_dict())
            Assert.True(value.allclose(trained[name], rtol: 1e-4, atol: 1e-5), $"{name} differs beyond float rounding");
        nchw.Dispose();
        reference.Dispose();
        nhwc.Dispose();
    }
}
