using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Tests.Training;

/// <summary>
/// <see cref="GradientScaler"/> against PyTorch's rule (torch/amp/grad_scaler.py and aten's _amp_update_scale_), written out
/// by hand step for step: the expected scales and trackers below are not computed by the code under test.
/// </summary>
[Collection(SequentialTorchCollection.Name)]
public class GradientScalerTests : TorchTest
{
    private const float Inf = float.PositiveInfinity;

    /// <summary>One step: the gradient backward would leave (already multiplied by the scale), and the expected outcome.</summary>
    public sealed record Step(float[] Unscaled, bool Taken, float ScaleAfter, int TrackerAfter);

    [Fact]
    public void ASequenceOfFiniteAndNonFiniteStepsFollowsPyTorchsRule()
    {
        // init 65536, growth 2, backoff 0.5, interval 3.
        Step[] steps =
        [
            new([0.5f, -2f], true, 65536, 1),
            new([1f, 0.25f], true, 65536, 2),
            new([3f, 4f], true, 131072, 0), // third finite step in a row: scale × 2, tracker 0
            new([Inf, 1f], false, 65536, 0), // inf: skipped, scale × 0.5, tracker reset
            new([1f, 1f], true, 65536, 1),
            new([1f, 2f], true, 65536, 2),
            new([float.NaN, 0f], false, 32768, 0), // NaN just before growth: the tracker restarts
            new([-Inf, 0f], false, 16384, 0), // two bad steps in a row back off twice
            new([1f, 1f], true, 16384, 1),
            new([2f, 2f], true, 16384, 2),
            new([0f, 0f], true, 32768, 0),
        ];
        var scaler = new GradientScaler(growthInterval: 3);
        var parameter = zeros(2).requires_grad_();
        foreach (var (step, i) in steps.Select((s, i) => (s, i)))
        {
            var scale = scaler.Scale;
            parameter.grad = tensor(step.Unscaled) * scale;
            var taken = scaler.Unscale([parameter]);
            if (taken) Assert.Equal(step.Unscaled, parameter.grad!.data<float>().ToArray()); // unscaled exactly (S is a power of 2)
            scaler.Update(foundInf: !taken);
            Assert.True(step.Taken == taken, $"step {i + 1}: taken {taken}");
            Assert.True(step.ScaleAfter == scaler.Scale, $"step {i + 1}: scale {scaler.Scale}, expected {step.ScaleAfter}");
            Assert.True(step.TrackerAfter == scaler.GrowthTracker, $"step {i + 1}: tracker {scaler.GrowthTracker}, expected {step.TrackerAfter}");
        }
    }

    [Fact]
    public void PyTorchsDefaultsGrowTheScaleAfter2000FiniteStepsInARow()
    {
        var scaler = new GradientScaler();
        Assert.Equal((65536f, 2.0, 0.5, 2000), (scaler.Scale, scaler.GrowthFactor, scaler.BackoffFactor, scaler.GrowthInterval));
        for (var i = 0; i < 1999; i++) scaler.Update(foundInf: false);
        Assert.Equal((65536f, 1999), (scaler.Scale, scaler.GrowthTracker));
        scaler.Update(foundInf: false);
        Assert.Equal((131072f, 0), (scaler.Scale, scaler.GrowthTracker));
        scaler.Update(foundInf: true);
        Assert.Equal((65536f, 0), (scaler.Scale, scaler.GrowthTracker));
    }

    [Fact]
    public void TheScaleGrowsOnlyWhileFloat32HoldsIt()
    {
        var scaler = new GradientScaler(initScale: Math.Pow(2, 127), growthInterval: 1);
        scaler.Update(foundInf: false);
        Assert.Equal((MathF.Pow(2, 127), 0), (scaler.Scale, scaler.GrowthTracker)); // 2^128 is inf in float32: kept, tracker reset
    }

    [Fact]
    public void AllGradientsAreUnscaledEvenWhenOneIsNotFinite()
    {
        var scaler = new GradientScaler(initScale: 4);
        var a = zeros(2).requires_grad_();
        var b = zeros(1).requires_grad_();
        var unused = zeros(3).requires_grad_();
        a.grad = tensor(new[] { Inf, 8f });
        b.grad = tensor(new[] { 2f });
        Assert.False(scaler.Unscale([a, unused, b]));
        Assert.Equal([Inf, 2f], a.grad!.data<float>().ToArray());
        Assert.Equal([0.5f], b.grad!.data<float>().ToArray());
        Assert.Null(unused.grad);
    }

    [Theory]
    [InlineData(0, 2, 0.5, 1)]
    [InlineData(65536, 1, 0.5, 1)]
    [InlineData(65536, 2, 1, 1)]
    [InlineData(65536, 2, 0.5, 0)]
    [InlineData(double.PositiveInfinity, 2, 0.5, 1)]
    public void BadSettingsAreRefused(double init, double growth, double backoff, int interval) =>
        Assert.ThrowsAny<ArgumentException>(() => new GradientScaler(init, growth, backoff, interval));
}
