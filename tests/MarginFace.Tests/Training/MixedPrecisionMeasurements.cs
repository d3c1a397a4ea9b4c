using System.Diagnostics;
using TorchSharp.Modules;
using Xunit.Abstractions;
using MarginFace.Losses;
using MarginFace.Tests.Pipeline;
using MarginFace.Training;
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

    private const int Classes = 10;

    private static nn.Module<Tensor, Tensor> Network() => nn.Sequential(
        ("stem", nn.Conv2d(3, 16, 3, padding: 1)), ("bn1", nn.BatchNorm2d(16)), ("act1", nn.PReLU(16)),
        ("conv", nn.Conv2d(16, 32, 3, stride: 2, padding: 1)), ("bn2", nn.BatchNorm2d(32)), ("act2", nn.PReLU(32)),
        ("flatten", nn.Flatten()), ("fc", nn.Linear(32 * 8 * 8, 32)), ("features", nn.BatchNorm1d(32)));

    /// <summary>
    /// The accuracy numbers of docs/mixed-precision.md: a small conv network (3 → 16 → 32 channels, batch norm, PReLU, 32-D
    /// embedding) with ArcFace (s 16, m 0.3) trained by <see cref="Trainer"/> and FlatSgd for 6 epochs on 1,000 synthetic
    /// 16×16 images of 10 classes (a fixed random pattern each, under noise of 8 times its spread), then tested on 1,000 held-out
    /// images by the head's nearest centre; the same seed, data and initial weights in fp32, bf16 and fp16.
    /// </summary>
    [MeasurementFact]
    public void HeldOutAccuracyAndTimeOfFp32Bf16AndFp16Training()
    {
        manual_seed(11);
        using var generator = new Generator(11);
        var prototypes = randn(Classes, 3, 16, 16, generator: generator);
        (Tensor X, Tensor Y) Draw(int count)
        {
            var y = arange(count, dtype: int64) % Classes;
            return (prototypes.index_select(0, y) + randn(count, 3, 16, 16, generator: generator) * 8, y);
        }
        var (trainX, trainY) = Draw(1000);
        var (testX, testY) = Draw(1000);
        using var initial = Network();
        using var initialHead = new ArcFaceHead(32, Classes, s: 16, m: 0.3);
        foreach (var precision in new[] { TrainingPrecision.Fp32, TrainingPrecision.Bf16, TrainingPrecision.Fp16 })
        {
            using var backbone = Network();
            using var objective = new HeadObjective(new ArcFaceHead(32, Classes, s: 16, m: 0.3));
            using (no_grad())
            {
                foreach (var (name, tensor) in initial.state_dict()) backbone.state_dict()[name].copy_(tensor);
                objective.Head.Weight.copy_(initialHead.Weight);
            }
            using var optimizer = new FlatSgd([new SGD.ParamGroup(backbone.parameters().Concat(objective.Parameters), lr: 0.05, momentum: 0.9, weight_decay: 5e-4)], 0.05);
            using var mixed = precision == TrainingPrecision.Fp32 ? null : new MixedPrecision(backbone, Network, precision, CPU);
            var trainer = new Trainer(backbone, objective, optimizer, CPU, new TrainerOptions { Epochs = 6, Seed = 3, GradientClipNorm = 5 }, precision: mixed);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var epochs = trainer.Fit(new TensorBatchSource(trainX, trainY, 50, 3));
            var seconds = clock.Elapsed.TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            backbone.eval();
            using (no_grad())
            {
                var cosine = objective.Head.Cosine(backbone.forward(testX));
                var accuracy = cosine.argmax(1).eq(testY).to(float64).mean().item<double>();
                output.WriteLine($"{precision}: held-out accuracy {accuracy:P1}, last epoch loss {epochs[^1].MeanLoss:0.0000}, train accuracy {epochs[^1].TrainAccuracy:P1}, " +
                    $"{seconds:0.0} s wall, {cpuSeconds:0.0} s CPU{(mixed is null ? "" : $", skipped steps {mixed.SkippedSteps}")}");
            }
        }
    }
}
