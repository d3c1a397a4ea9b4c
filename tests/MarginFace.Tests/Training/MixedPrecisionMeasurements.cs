using Xunit.Abstractions;
using MarginFace.Tests.Pipeline;
using static TorchSharp.torch;

namespace MarginFace.Tests.Training;

/// <summary>
/// The CPU convolution errors of docs/mixed-precision.md (a measurement of libtorch, not a check):
/// <c>MARGINFACE_MEASURE=1 dotnet test tests/MarginFace.Tests -c Release --no-build --filter FullyQualifiedName~MixedPrecisionMeasurements --logger "console;verbosity=detailed"</c>.
/// Each line: a 3×3 convolution of 8 images of 14×14, its forward and its input and weight gradients in bf16 and fp16 on the
/// CPU, each as ‖half − float32‖/‖float32‖ where float32 computes the same half-rounded inputs.
/// </summary>
[Trait("Category", "Integration")]
[Collection(SequentialTorchCollection.Name)]
public class MixedPrecisionMeasurements(ITestOutputHelper output) : TorchTest
{
    [MeasurementFact]
    public void HalfPrecisionCpuConvolutionErrorsByChannelCount()
    {
        manual_seed(3);
        foreach (var (cin, cout, stride) in new[] { (1, 4, 1), (3, 4, 1), (3, 64, 2), (3, 64, 1), (4, 8, 1), (8, 8, 1), (8, 16, 1), (16, 8, 1), (16, 16, 1), (32, 32, 1), (64, 128, 2) })
        {
            var x = randn(8, cin, 14, 14);
            var w = randn(cout, cin, 3, 3) * 0.1;
            var line = $"{cin,3} → {cout,3}, stride {stride}:";
            foreach (var dtype in new[] { bfloat16, float16 })
            {
                var xr = x.to(dtype).to(float32).requires_grad_();
                var wr = w.to(dtype).to(float32).requires_grad_();
                var y = nn.functional.conv2d(xr, wr, strides: [stride], padding: [1]);
                var gy = randn(y.shape).to(dtype);
                y.backward([gy.to(float32)]);
                var xh = x.to(dtype).requires_grad_();
                var wh = w.to(dtype).requires_grad_();
                var yh = nn.functional.conv2d(xh, wh, strides: [stride], padding: [1]);
                yh.backward([gy]);
                static double Relative(Tensor expected, Tensor actual) => (actual.to(float64) - expected.to(float64)).norm().item<double>() / expected.to(float64).norm().item<double>();
                line += $"  {dtype}: y {Relative(y, yh):0.0000}, dx {Relative(xr.grad!, xh.grad!):0.0000}, dw {Relative(wr.grad!, wh.grad!):0.0000}";
            }
            output.WriteLine(line);
        }
    }
}
