using TorchSharp;
using Xunit.Abstractions;
using MarginFace.FaceModels;
using MarginFace.Interop.Onnx;
using MarginFace.Models;

namespace MarginFace.Tests.Fuzz;

/// <summary>
/// Seeded mutations of a small exported ONNX model (the MNIST backbone <c>clsnet</c> with MarginFace's metadata) through
/// <see cref="OnnxFaceModel.Open"/>. Opening a session takes milliseconds, so the time budget, not the case count, ends it.
/// </summary>
public class OnnxFaceModelFuzzTests(ITestOutputHelper output) : TorchTest
{
    private readonly TempDirectory _temp = new();

    public override void Dispose()
    {
        _temp.Dispose();
        base.Dispose();
    }

    [Fact]
    public void MutatedOnnxModelsOpenOrFailWithAMarginFaceException()
    {
        torch.random.manual_seed(6);
        using var backbone = BackboneFactory.Create("clsnet");
        var s = backbone.Spec;
        var modelPath = _temp.Combine("small.model");
        FaceModelFile.Save(modelPath, backbone.Module, new FaceModelInfo
        {
            Backbone = s.Name, EmbeddingSize = s.EmbeddingSize, InputWidth = s.InputWidth, InputHeight = s.InputHeight,
            Channels = s.Channels, Normalization = s.Normalization,
        });
        var valid = _temp.Combine("small.onnx");
        using (var model = FaceModelFile.Load(modelPath)) OnnxExporter.Export(model, valid);
        var path = _temp.Combine("mutated.onnx");
        var (run, refused) = FuzzLoop.Run(File.ReadAllBytes(valid), seed: 44, cases: 3000, TimeSpan.FromSeconds(4), bytes =>
        {
            File.WriteAllBytes(path, bytes);
            OnnxFaceModel.Open(path, threads: 1).Dispose();
        });
        output.WriteLine($"{run} cases, {refused} refused");
        Assert.True(refused > 0 && run > 0, $"{run} cases, {refused} refused");
    }
}
