using TorchSharp.Modules;
using TorchSharp;
using MarginFace.Models;
using static TorchSharp.torch;

namespace MarginFace.Tests.Models;

public class HeldScalarBatchNormTests : TorchTest
{
    public static TheoryData<int, double?, bool> Cases => new()
    {
        { 1, 0.1, true }, { 2, 0.1, true }, { 2, null, true }, { 1, 0.1, false }, { 2, 0.3, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void OutputRunningStatisticsAndBatchCountEqualTorchSharpsOwnForward(int dims, double? momentum, bool training)
    {
        using var reference = Make(dims, momentum);
        using var held = Make(dims, momentum);
        held.load_state_dict(reference.state_dict());
        reference.train(training);
        held.train(training);
        for (int step = 0; step < 3; step++)
        {
            using var input = dims == 1 ? randn(8, 5, dtype: ScalarType.Float64) : randn(4, 5, 3, 3, dtype: ScalarType.Float64);
            using var expected = reference.forward(input);
            using var actual = HeldScalarBatchNorm.Forward(held, input);
            Assert.True(allclose(expected, actual, rtol: 0, atol: 1e-12));
        }
        Assert.True(allclose(reference.running_mean!, held.running_mean!, rtol: 0, atol: 1e-12));
        Assert.True(allclose(reference.running_var!, held.running_var!, rtol: 0, atol: 1e-12));
        Assert.Equal(training ? 3 : 0, held.num_batches_tracked!.ToDouble());
        Assert.Equal(reference.num_batches_tracked!.ToDouble(), held.num_batches_tracked!.ToDouble());
    }

    [Fact]
    public void GradientsEqualTorchSharpsOwnForward()
    {
        using var reference = Make(2, 0.1);
        using var held = Make(2, 0.1);
        held.load_state_dict(reference.state_dict());
        using var x = randn(4, 5, 3, 3, dtype: ScalarType.Float64);
        using var a = x.clone().requires_grad_(true);
        using var b = x.clone().requires_grad_(true);
        using var weights = randn(4, 5, 3, 3, dtype: ScalarType.Float64);
        (reference.forward(a) * weights).sum().backward();
        (HeldScalarBatchNorm.Forward(held, b) * weights).sum().backward();
        Assert.True(allclose(a.grad!, b.grad!, rtol: 0, atol: 1e-12));
        Assert.True(allclose(reference.weight.grad!, held.weight.grad!, rtol: 0, atol: 1e-12));
        Assert.True(allclose(reference.bias!.grad!, held.bias!.grad!, rtol: 0, atol: 1e-12));
    }

    [Fact]
    public void LayerChainRunsSequentialsChildByChildLikeTheirOwnForward()
    {
        using var sequence = nn.Sequential(nn.Conv2d(3, 4, 3, bias: false), nn.BatchNorm2d(4), nn.PReLU(4));
        using var twin = nn.Sequential(nn.Conv2d(3, 4, 3, bias: false), nn.BatchNorm2d(4), nn.PReLU(4));
        twin.load_state_dict(sequence.state_dict());
        using var input = randn(2, 3, 6, 6);
        using var expected = sequence.forward(input);
        using var actual = LayerChain.Apply(twin, input);
        Assert.True(allclose(expected, actual, rtol: 1e-6, atol: 1e-6));
        Assert.Equal(1, ((BatchNorm2d)twin.children().ElementAt(1)).num_batches_tracked!.ToDouble());
    }

    private static BatchNorm Make(int dims, double? momentum)
    {
        BatchNorm norm = dims == 1 ? nn.BatchNorm1d(5, momentum: momentum ?? 0.1, dtype: ScalarType.Float64)
            : nn.BatchNorm2d(5, momentum: momentum ?? 0.1, dtype: ScalarType.Float64);
        norm.momentum = momentum;
        using (no_grad())
        {
            norm.weight.uniform_(0.5, 1.5);
            norm.bias!.uniform_(-0.5, 0.5);
        }
        return norm;
    }
}
