using System.Diagnostics;
using TorchSharp.Modules;
using TorchSharp;
using Xunit.Abstractions;
using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Imaging;
using MarginFace.Interop.Onnx;
using MarginFace.Models;
using MarginFace.Tests.Models;

namespace MarginFace.Tests.Interop.Onnx;

/// <summary>
/// Every factory backbone, exported to ONNX, embeds real LFW centre crops through ONNX Runtime (<see cref="OnnxFaceModel"/>) as
/// TorchSharp does (<see cref="FaceModel.Embed(torch.nn.Module{torch.Tensor, torch.Tensor}, FacePreprocessing, torch.Device, IReadOnlyList{RgbImage}, bool, int)"/>):
/// unit-length float32 embeddings within 1e-4 of each other, element by element.
/// </summary>
[Trait("Category", "Integration")]
public class OnnxRealFaceTests(ITestOutputHelper output) : TorchTest
{
    private const float Tolerance = 1e-4f;

    private static readonly (string Name, int Number)[] Faces =
        [("Abel_Pacheco", 1), ("Akhmed_Zakayev", 1), ("Colin_Powell", 1), ("Serena_Williams", 1)];

    public static TheoryData<string> Backbones => new(BackboneFactory.Names);

    [SharedDataTheory("data/lfw/lfw-deepfunneled")]
    [MemberData(nameof(Backbones))]
    public void OnnxRuntimeEmbedsRealFaceCropsAsTorchSharp(string name)
    {
        var watch = Stopwatch.StartNew();
        using var temp = new TempDirectory();
        // Two crops for the two largest networks (their export and session set-up dominate anyway), four for the others.
        var images = Faces.Take(name is "iresnet50" or "iresnet100" ? 2 : Faces.Length).Select(f => ImageFile.Read(TestImages.LfwPath(f.Name, f.Number))).ToList();
        using var backbone = BackboneFactory.Create(name);
        var spec = backbone.Spec;
        // LFW deep-funneled faces sit in the middle 150×150 of 250×250; the crop is resized to the network's input.
        var preprocessing = new FacePreprocessing(FaceCrop.Center(150), spec.InputWidth, spec.InputHeight, spec.Channels == 1, spec.Normalization);
        Randomise(backbone, preprocessing, images);
        var path = Path.Combine(temp.Path, $"{name}.onnx");
        OnnxExporter.Export(backbone.Module, spec, path);
        var exported = watch.ElapsedMilliseconds;

        var expected = FaceModel.Embed(backbone.Module, preprocessing, torch.CPU, images);
        using var onnx = OnnxFaceModel.Open(path, threads: 1);
        var opened = watch.ElapsedMilliseconds;
        var actual = onnx.Embed(images, preprocessing);
        var difference = expected.Zip(actual, (e, a) => e.Zip(a, (x, y) => MathF.Abs(x - y)).Max()).Max();
        output.WriteLine($"{name}: {images.Count} LFW crops, max |onnx - torch| = {difference:G3} ({watch.ElapsedMilliseconds} ms; exported at {exported} ms, ONNX Runtime session at {opened} ms)");
        Assert.All(actual, a => Assert.Equal(spec.EmbeddingSize, a.Length));
        Assert.True(difference <= Tolerance, $"{name}: max abs difference {difference} > {Tolerance}");
        // Different faces give different embeddings (an export that ignored its input would pass the comparison above).
        Assert.True(actual[0].Zip(actual[1], (x, y) => MathF.Abs(x - y)).Max() > 10 * Tolerance);
    }

    /// <summary>
    /// Moves batch-norm affine parameters and PReLU slopes away from their initial values and sets the running statistics to
    /// those of the real crops (so activations stay of order one even in IResNet-100), then eval mode; the final BatchNorm1d,
    /// whose variance over a few samples can be near zero, gets 1 added to it.
    /// </summary>
    private static void Randomise(Backbone backbone, FacePreprocessing preprocessing, IReadOnlyList<RgbImage> images)
    {
        torch.random.manual_seed(13);
        using (torch.no_grad())
            foreach (var module in backbone.Module.modules())
                switch (module)
                {
                    case NormBase norm:
                        norm.weight.uniform_(0.5, 1.5);
                        norm.bias!.normal_(0, 0.1);
                        break;
                    case PReLU prelu:
                        prelu.weight.uniform_(0.0, 0.5);
                        break;
                }
        var values = images.SelectMany(preprocessing.ToChw).ToArray();
        using (var batch = torch.tensor(values, [images.Count, preprocessing.Channels, preprocessing.Height, preprocessing.Width]))
            BatchNormCalibration.Calibrate(backbone.Module, batch);
        using (torch.no_grad())
            foreach (var norm in backbone.Module.modules().OfType<BatchNorm1d>())
                norm.running_var!.add_(1.0);
    }
}
