using FsCheck.Xunit;
using TorchSharp;
using MarginFace.Losses.Mining;
using MarginFace.Losses;
using static MarginFace.Tests.Losses.Numerics;
using static TorchSharp.torch;

namespace MarginFace.Tests.Losses;

public class LossRobustnessProperties : TorchTest
{
    private static readonly double[] Scales = { 0, 1e-30, 1e-3, 1, 1e4 };

    private static Tensor Input(Generator g, long b, long d, double scale, bool repeatRows)
    {
        var x = torch.randn(new[] { b, d }, generator: g).mul(scale);
        if (repeatRows && b > 1)
            x[1] = x[0]; // identical points
        return x.requires_grad_(true);
    }

    private static bool Finite(Tensor loss, params Tensor[] leaves)
    {
        loss.backward();
        return AllFinite(loss) && leaves.All(l => l.grad is null || AllFinite(l.grad));
    }

    [Property(MaxTest = 60)]
    public bool Float32LossesAndGradientsStayFinite(int seed, byte rawB, byte rawD, byte rawScale, bool repeat, bool same)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)(uint)seed);
        var b = 1 + rawB % 9;
        var d = 1 + rawD % 6;
        var scale = Scales[rawScale % Scales.Length];
        var x1 = Input(g, b, d, scale, repeat);
        var x2 = same ? x1.detach().clone().requires_grad_(true) : Input(g, b, d, scale, repeat);
        var x3 = Input(g, b, d, scale, repeat);
        var labels = torch.randint(0, 3, new long[] { b }, generator: g);
        var flags = torch.randint(0, 2, new long[] { b }, generator: g);

        var ok = Finite(new FocalLoss(0.5).forward(x1, labels.remainder(d)), x1);
        ok &= Finite(new FocalLoss(2).forward(x2, labels.remainder(d)), x2);
        ok &= Finite(new ContrastiveLoss().forward(x1, x2, flags), x1, x2);
        ok &= Finite(new TripletLoss().forward(x1, x2, x3), x1, x2, x3);
        var center = new CenterLoss(d, 3, seed);
        ok &= Finite(center.forward(x3, labels), x3, center.Centers);
        foreach (var mining in Enum.GetValues<TripletMining>())
        {
            var e = x1.detach().clone().requires_grad_(true);
            ok &= Finite(new BatchTripletLoss(0.2, mining).forward(e, labels), e);
        }
        return ok;
    }
}
