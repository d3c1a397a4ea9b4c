using TorchSharp;
using MarginFace.Losses;
using static TorchSharp.torch;

namespace MarginFace.Tests.Losses;

public class CurricularFaceHeadTests : TorchTest
{
    [Fact]
    public void WithoutModulationItIsArcFaceAndLeavesTHalone()
    {
        using var generator = new Generator(7);
        using var x = torch.randn(32, 2, dtype: float64, generator: generator);
        using var y = torch.arange(32, dtype: int64) % 5;
        using var curricular = new CurricularFaceHead(2, 5, s: 16, m: 0.3).to(float64);
        using var arcface = new ArcFaceHead(2, 5, s: 16, m: 0.3).to(float64);
        using (torch.no_grad()) arcface.Weight.copy_(curricular.Weight);
        curricular.HardExampleModulation = false;
        curricular.T = 0.25;

        using var expected = arcface.forward(x, y);
        using var actual = curricular.forward(x, y);

        Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-12));
        Assert.Equal(0.25, curricular.T);
    }

    [Fact]
    public void AHardNegativeFarAwayGetsASmallerLogitAsTheFeatureMovesTowardsIt()
    {
        // Why the 2-D recipe delays the curriculum. Feature at 180°, target class at 0° (cos θ_y = −1), class j at 37°
        // (cos θ_j = −0.8 > cos(θ_y + m): a hard negative). With t = 0 its logit is s·cos θ_j·(t + cos θ_j) = s·cos² θ_j,
        // which shrinks as cos θ_j rises: the loss rewards moving the feature towards the wrong class.
        var angleJ = Math.Acos(0.8);
        using var head = new CurricularFaceHead(2, 2, s: 1, m: 0.1).to(float64);
        using (torch.no_grad()) head.Weight.copy_(torch.tensor(new double[] { 1, 0, Math.Cos(angleJ), Math.Sin(angleJ) }, [2, 2], float64));
        head.eval();
        using var x = torch.tensor(new double[] { -1, 0 }, [1, 2], float64).requires_grad_();
        using var y = torch.tensor(new long[] { 0 });
        using var logits = head.forward(x, y);
        Assert.Equal(0.64, logits[0, 1].item<double>(), 9);
        logits[0, 1].backward();
        using var towardsJ = torch.tensor(new double[] { Math.Cos(angleJ) + 1, Math.Sin(angleJ) }, float64);
        Assert.True(x.grad!.squeeze(0).dot(towardsJ).item<double>() < 0);

        head.HardExampleModulation = false;
        using var plain = head.forward(x.detach(), y);
        Assert.Equal(-0.8, plain[0, 1].item<double>(), 9);
    }
}
