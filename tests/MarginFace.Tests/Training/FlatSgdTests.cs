using TorchSharp.Modules;
using TorchSharp;
using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Tests.Training;

/// <summary>
/// <see cref="FlatSgd"/> gives TorchSharp's SGD's numbers element for element (float64), keeps parameters, gradients and
/// momentum in one buffer per group, and saves and loads TorchSharp SGD's checkpoints.
/// </summary>
public class FlatSgdTests : TorchTest
{
    private sealed class Network : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential layers = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 5), nn.Tanh(), nn.Linear(5, 3));

        public Network() : base(nameof(Network))
        {
            RegisterComponents();
            this.to(float64);
        }

        public override Tensor forward(Tensor input) => layers.forward(input);
    }

    private sealed record Setup(Network Network, Parameter Head, Tensor Inputs, Tensor Targets) : IDisposable
    {
        public void Dispose()
        {
            Network.Dispose();
            Head.Dispose();
            Inputs.Dispose();
            Targets.Dispose();
        }
    }

    /// <summary>The same network, head weight and data every time (a generator of its own, so parallel tests do not interfere).</summary>
    private static Setup Make()
    {
        var network = new Network();
        using var generator = new Generator(7);
        using (no_grad())
            foreach (var p in network.parameters()) p.copy_(randn(p.shape, dtype: float64, generator: generator));
        var head = new Parameter(randn([4, 3], dtype: float64, generator: generator));
        return new Setup(network, head, randn([10, 6], dtype: float64, generator: generator), randn([10, 4], dtype: float64, generator: generator));
    }

    private static SGD.ParamGroup[] Groups(Setup s, double momentum, double dampening, double weightDecay, bool nesterov) =>
    [
        new SGD.ParamGroup(s.Network.parameters(), lr: 0.05, momentum: momentum, dampening: dampening, weight_decay: weightDecay, nesterov: nesterov),
        new SGD.ParamGroup([s.Head], lr: 0.2, momentum: momentum, dampening: dampening, weight_decay: weightDecay, nesterov: nesterov),
    ];

    private static void Train(Setup s, OptimizerHelper optimizer, int steps, int firstStep = 0)
    {
        for (var step = firstStep; step < firstStep + steps; step++)
        {
            using var scope = NewDisposeScope();
            foreach (var group in optimizer.ParamGroups) group.LearningRate = group.InitialLearningRate / (1 + step);
            var loss = (s.Network.forward(s.Inputs).matmul(s.Head.t()) - s.Targets).pow(2).mean();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
    }

    private static Tensor[] Values(Setup s) => s.Network.parameters().Append(s.Head).Select(p => p.detach().clone()).ToArray();

    [Theory]
    [InlineData(0.9, 0.0, 5e-4, false)]
    [InlineData(0.9, 0.1, 1e-2, false)]
    [InlineData(0.9, 0.0, 0.0, true)]
    [InlineData(0.0, 0.0, 5e-4, false)]
    public void FlatSgdGivesTorchSharpSgdsParametersInFloat64(double momentum, double dampening, double weightDecay, bool nesterov)
    {
        using var reference = Make();
        using var flat = Make();
        using var sgd = optim.SGD(Groups(reference, momentum, dampening, weightDecay, nesterov), 0.05);
        using var fused = new FlatSgd(Groups(flat, momentum, dampening, weightDecay, nesterov), 0.05);
        Train(reference, sgd, 12);
        Train(flat, fused, 12);
        Assert.True(fused.IsFlat(0) && fused.IsFlat(1));
        foreach (var (a, b) in Values(reference).Zip(Values(flat)))
            Assert.True(a.allclose(b, rtol: 0, atol: 0), $"max |Δ| = {(a - b).abs().max().item<double>():E3}");
    }

    [Fact]
    public void ParametersAndGradientsAreViewsOfOneBufferThatZeroGradClearsAndBackwardFills()
    {
        using var s = Make();
        using var fused = new FlatSgd(Groups(s, 0.9, 0, 5e-4, false), 0.05);
        fused.zero_grad();
        var parameters = s.Network.parameters().ToArray();
        var offset = 0L;
        foreach (var p in parameters)
        {
            Assert.Equal(offset, p.storage_offset());
            offset += p.numel();
        }
        using (var loss = (s.Network.forward(s.Inputs).matmul(s.Head.t()) - s.Targets).pow(2).mean())
            loss.backward();
        using var expected = Make();
        using (var loss = (expected.Network.forward(expected.Inputs).matmul(expected.Head.t()) - expected.Targets).pow(2).mean())
            loss.backward();
        foreach (var (p, q) in parameters.Zip(expected.Network.parameters()))
        {
            using var g = p.grad!;
            using var h = q.grad!;
            Assert.True(g.allclose(h, rtol: 0, atol: 0));
        }
        fused.zero_grad();
        foreach (var p in parameters)
        {
            using var g = p.grad!;
            Assert.Equal(0.0, g.abs().max().item<double>());
        }
    }

    [Fact]
    public void ACheckpointSavedMidwayResumesToTheUninterruptedNumbers()
    {
        using var whole = Make();
        using var wholeSgd = new FlatSgd(Groups(whole, 0.9, 0, 5e-4, false), 0.05);
        Train(whole, wholeSgd, 10);

        using var first = Make();
        using var firstSgd = new FlatSgd(Groups(first, 0.9, 0, 5e-4, false), 0.05);
        Train(first, firstSgd, 4);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            first.Network.save(writer);
            first.Head.Save(writer);
            firstSgd.SaveSgdState(writer);
        }

        // Loaded into a fresh optimiser, and (second) into one that has taken a step (its momentum views in place).
        foreach (var steppedFirst in new[] { false, true })
        {
            stream.Position = 0;
            using var resumed = Make();
            using var resumedSgd = new FlatSgd(Groups(resumed, 0.9, 0, 5e-4, false), 0.05);
            if (steppedFirst) Train(resumed, resumedSgd, 1);
            using (var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                resumed.Network.load(reader);
                resumed.Head.Load(reader);
                resumedSgd.LoadSgdState(reader);
            }
            Train(resumed, resumedSgd, 6, firstStep: 4);
            foreach (var (a, b) in Values(whole).Zip(Values(resumed)))
                Assert.True(a.allclose(b, rtol: 0, atol: 0), $"stepped first: {steppedFirst}, max |Δ| = {(a - b).abs().max().item<double>():E3}");
        }
    }

    [Fact]
    public void TorchSharpSgdLoadsAFlatSgdCheckpointAndContinuesToTheSameNumbers()
    {
        using var whole = Make();
        using var wholeSgd = new FlatSgd(Groups(whole, 0.9, 0, 5e-4, false), 0.05);
        Train(whole, wholeSgd, 8);

        using var first = Make();
        using var firstSgd = new FlatSgd(Groups(first, 0.9, 0, 5e-4, false), 0.05);
        Train(first, firstSgd, 3);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) firstSgd.SaveSgdState(writer);
        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        using var sgd = optim.SGD(Groups(first, 0.9, 0, 5e-4, false), 0.05);
        sgd.load_state_dict(reader);
        Train(first, sgd, 5, firstStep: 3);
        foreach (var (a, b) in Values(whole).Zip(Values(first)))
            Assert.True(a.allclose(b, rtol: 0, atol: 0), $"max |Δ| = {(a - b).abs().max().item<double>():E3}");
    }

    [Fact]
    public void FlatSgdResumesFromTorchSharpSgdsCheckpoint()
    {
        using var whole = Make();
        using var wholeSgd = optim.SGD(Groups(whole, 0.9, 0, 5e-4, false), 0.05);
        Train(whole, wholeSgd, 8);

        using var first = Make();
        using var sgd = optim.SGD(Groups(first, 0.9, 0, 5e-4, false), 0.05);
        Train(first, sgd, 3);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) sgd.save_state_dict(writer);
        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        using var fused = new FlatSgd(Groups(first, 0.9, 0, 5e-4, false), 0.05);
        fused.LoadSgdState(reader);
        Train(first, fused, 5, firstStep: 3);
        foreach (var (a, b) in Values(whole).Zip(Values(first)))
            Assert.True(a.allclose(b, rtol: 0, atol: 0), $"max |Δ| = {(a - b).abs().max().item<double>():E3}");
    }

    [Fact]
    public void AGroupMixingDtypesIsUpdatedParameterByParameterWithTheSameNumbers()
    {
        using var reference = Make();
        using var mixed = Make();
        var extraReference = new Parameter(ones([3], dtype: float32));
        var extraMixed = new Parameter(ones([3], dtype: float32));
        SGD.ParamGroup[] Mixed(Setup s, Parameter extra) =>
            [new SGD.ParamGroup(s.Network.parameters().Append(extra), lr: 0.05, momentum: 0.9, weight_decay: 1e-2), new SGD.ParamGroup([s.Head], lr: 0.2, momentum: 0.9)];
        using var sgd = optim.SGD(Mixed(reference, extraReference), 0.05);
        using var fused = new FlatSgd(Mixed(mixed, extraMixed), 0.05);
        Train(reference, sgd, 5);
        Train(mixed, fused, 5);
        Assert.False(fused.IsFlat(0));
        Assert.True(fused.IsFlat(1));
        foreach (var (a, b) in Values(reference).Zip(Values(mixed)))
            Assert.True(a.allclose(b, rtol: 0, atol: 0));
        Assert.True(extraReference.allclose(extraMixed, rtol: 0, atol: 0));
    }
}
