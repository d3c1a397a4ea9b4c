using TorchSharp;
using MarginFace.Losses;
using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Tests.Training;

public class HeadObjectiveTests : TorchTest
{
    [Fact]
    public void HeadObjectiveStartsTheCurriculumAfterTheMarginWarmup()
    {
        using var head = new CurricularFaceHead(2, 10, s: 16, m: 0.2);
        using var objective = new HeadObjective(head, marginWarmupEpochs: 2);
        objective.BeginEpoch(1, 5);
        Assert.False(head.HardExampleModulation);
        Assert.Equal(0, head.M);
        objective.BeginEpoch(2, 5);
        Assert.False(head.HardExampleModulation);
        objective.BeginEpoch(3, 5);
        Assert.True(head.HardExampleModulation);
        Assert.Equal(0.2, head.M, 12);
    }

    [Fact]
    public void SoftmaxWarmupTrainsOnFeatureNormTimesCosineUntilTheMarginStarts()
    {
        using var generator = new Generator(3);
        using var x = torch.randn(16, 2, dtype: float64, generator: generator) * 5;
        using var y = torch.arange(16, dtype: int64) % 4;
        using var head = new ArcFaceHead(2, 4, s: 16, m: 0.3).to(float64);
        using var objective = new HeadObjective(head, marginWarmupEpochs: 1, softmaxWarmup: true);

        objective.BeginEpoch(1, 3);
        using var warm = objective.Compute(x, y);
        using var expectedWarm = nn.functional.cross_entropy(head.Cosine(x) * x.norm(1, keepdim: true), y);
        Assert.Equal(expectedWarm.item<double>(), warm.item<double>(), 12);

        objective.BeginEpoch(2, 3);
        using var margin = objective.Compute(x, y);
        using var expectedMargin = nn.functional.cross_entropy(head.forward(x, y), y);
        Assert.Equal(expectedMargin.item<double>(), margin.item<double>(), 12);
        Assert.NotEqual(warm.item<double>(), margin.item<double>());
    }
}
