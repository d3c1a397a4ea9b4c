using MarginFace.Data;
using System.Text.Json;
using MarginFace.FaceModels;
using MarginFace.Imaging;
using MarginFace.Interop.FaceApi;
using MarginFace.Models;
using MarginFace.Pipeline;
using MarginFace.Tests.Cli;
using static TorchSharp.torch;

namespace MarginFace.Tests.Interop;

[Trait("Category", "Integration")]
public class PretrainedFaceModelTests : TorchTest
{
    private static FaceModel Pretrained() => PretrainedFaceModel.Load(FaceApiTestModel.Cache.EnsureAvailable());

    /// <summary>The centre 110×110 of an LFW image resized to 150×150, as face-api's input pixels and as an image.</summary>
    private static (Tensor Pixels, RgbImage Image) LfwCrop(string name, int number)
    {
        var chw = LfwFaces.CentreCrop(LfwFaces.ImagePath(LfwFaces.Root!, name, number), 110, FaceApiResNet.InputSize);
        var hwc = chw.permute(1, 2, 0).contiguous().data<byte>().ToArray();
        return (chw.unsqueeze(0), new RgbImage(FaceApiResNet.InputSize, FaceApiResNet.InputSize, 3, hwc));
    }

    /// <summary>The CLI's cache root set to the test cache, filled first, so that "pretrained" resolves there.</summary>
    private static Dictionary<string, string> CacheEnvironment()
    {
        FaceApiTestModel.Cache.EnsureAvailable();
        return new() { ["MARGINFACE_CACHE"] = Path.GetDirectoryName(FaceApiTestModel.Cache.Directory)! };
    }

    [Fact]
    public void ReferenceIsPretrainedOnlyForThatWordAndAFilePathOtherwise()
    {
        Assert.True(FaceModelLoader.IsPretrained("pretrained"));
        Assert.True(FaceModelLoader.IsPretrained(" Pretrained "));
        Assert.False(FaceModelLoader.IsPretrained("./pretrained"));
        var e = Assert.Throws<MarginFaceException>(() => FaceModelLoader.OpenTorch("no-such-dir/face.model"));
        Assert.Equal("no-such-dir/face.model: model file not found", e.Message);
    }

    [FaceApiFact]
    public void PretrainedModelDescribesFaceApisInputAndIsAlignedOntoDlibsChip()
    {
        using var model = Pretrained();
        var info = model.Info;
        Assert.Equal(("faceapi-resnet", 150, 150, 3, 128), (info.Backbone, info.InputWidth, info.InputHeight, info.Channels, info.EmbeddingSize));
        Assert.Equal(PixelNormalization.FaceApiMeanRgb, info.Normalization);
        Assert.Equal(PretrainedFaceModel.Crop, info.Crop);
        Assert.Equal(PretrainedFaceModel.LfwThreshold, info.VerificationThreshold);
        Assert.Matches("^[0-9a-f]{16}$", info.ModelId);
        Assert.Equal(FaceModelFile.ModelId(model.Module), info.ModelId);
        using var embedder = new FaceModelEmbedder(Pretrained());
        Assert.Same(AlignmentTemplate.DlibChip150, embedder.Template);
    }

    [FaceApiFact(needsLfw: true)]
    public void EmbeddingOfAnLfwCropIsFaceApisOwnDescriptorAtUnitLength()
    {
        using var model = Pretrained();
        using var network = FaceApiModel.Load(FaceApiTestModel.Cache.EnsureAvailable());
        using var scope = NewDisposeScope();
        var (pixels, image) = LfwCrop("Aaron_Peirsol", 1);
        var embedding = model.Embed([image], model.Preprocessing with { Crop = FaceCrop.None })[0];
        using var noGrad = no_grad();
        var descriptor = network.forward(FaceApiResNet.Normalize(pixels))[0];
        var expected = (descriptor / descriptor.norm()).data<float>().ToArray();

        Assert.Equal(128, embedding.Length);
        Assert.Equal(1.0, Math.Sqrt(embedding.Sum(v => (double)v * v)), 5);
        Assert.True(embedding.Zip(expected, (a, b) => Math.Abs(a - b)).Max() < 1e-5f);
    }

    [FaceApiFact(needsLfw: true)]
    public void OnnxRuntimePathEmbedsAsTheTorchNetworkAndSharesItsModelId()
    {
        using var torchModel = Pretrained();
        using var onnxModel = PretrainedFaceModel.OpenOnnx(FaceApiTestModel.Cache.EnsureAvailable(), threads: 1);
        Assert.Equal(PretrainedFaceModel.ModelId, FaceModelFile.ModelId(torchModel.Module));
        Assert.Equal(PretrainedFaceModel.ModelId, onnxModel.Info.ModelId);
        static object Described(FaceModelInfo i) => (i.Backbone, i.EmbeddingSize, i.InputWidth, i.InputHeight, i.Channels, i.Normalization, i.Crop, i.VerificationThreshold);
        Assert.Equal(Described(torchModel.Info), Described(onnxModel.Info));
        var images = new[] { LfwCrop("Aaron_Peirsol", 1).Image, LfwCrop("Aaron_Peirsol", 2).Image };
        foreach (var flip in new[] { false, true })
        {
            var fromTorch = torchModel.Embed(images, torchModel.Preprocessing with { Crop = FaceCrop.None }, flip);
            var fromOnnx = onnxModel.Embed(images, onnxModel.Preprocessing with { Crop = FaceCrop.None }, flip);
            for (int i = 0; i < images.Length; i++)
                Assert.True(fromTorch[i].Zip(fromOnnx[i], (a, b) => Math.Abs(a - b)).Max() < 1e-5f, $"image {i}, flip {flip}");
        }
    }

    [FaceApiFact(needsLfw: true)]
    public void ExportedPretrainedModelFileEmbedsAsThePretrainedModelFromTheCli()
    {
        using var temp = new TempDirectory();
        var environment = CacheEnvironment();
        var modelPath = Path.Combine(temp.Path, "faceapi.model");
        var image = LfwFaces.ImagePath(LfwFaces.Root!, "Aaron_Peirsol", 1);

        var export = CliProcess.Run(["export", "--model", "pretrained", "--out", modelPath], environment);
        Assert.True(export.ExitCode == 0, export.Stderr);
        var fromPretrained = CliProcess.Run(["embed", "--model", "pretrained", "--flip", "--json", image], environment);
        var fromFile = CliProcess.Run(["embed", "--model", modelPath, "--flip", "--json", image], environment);
        Assert.True(fromPretrained.ExitCode == 0, fromPretrained.Stderr);
        Assert.True(fromFile.ExitCode == 0, fromFile.Stderr);

        float[] Embedding(string stdout) => JsonDocument.Parse(stdout.Trim()).RootElement.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        // "pretrained" runs on ONNX Runtime, the file on TorchSharp: the same network, equal to float32 rounding.
        Assert.True(Embedding(fromPretrained.Stdout).Zip(Embedding(fromFile.Stdout), (a, b) => Math.Abs(a - b)).Max() < 1e-5f);
        Assert.Equal(128, Embedding(fromFile.Stdout).Length);
        using var model = Pretrained();
        var info = FaceModelFile.ReadInfo(modelPath);
        Assert.Equal(model.Info.ModelId, info.ModelId);
        Assert.Contains($"model id {info.ModelId}", export.Stdout);
    }

    [FaceApiFact(needsLfw: true)]
    public void VerifyWithThePretrainedModelAlignsAndTellsOnePersonFromTwo()
    {
        var environment = CacheEnvironment();
        var root = LfwFaces.Root!;
        // The first same-person and the first different-person pair of fold 1 of pairs.txt.
        var same = CliProcess.Run(["verify", "--model", "pretrained", "--align", "--flip", "--json",
            LfwFaces.ImagePath(root, "Abel_Pacheco", 1), LfwFaces.ImagePath(root, "Abel_Pacheco", 4)], environment);
        var different = CliProcess.Run(["verify", "--model", "pretrained", "--align", "--flip", "--json",
            LfwFaces.ImagePath(root, "Abdel_Madi_Shabneh", 1), LfwFaces.ImagePath(root, "Dean_Barker", 1)], environment);
        Assert.True(same.ExitCode == 0, same.Stdout + same.Stderr);
        Assert.True(different.ExitCode == 3, different.Stdout + different.Stderr);
        Assert.Equal(PretrainedFaceModel.LfwThreshold, JsonDocument.Parse(same.Stdout.Trim()).RootElement.GetProperty("threshold").GetDouble());
    }

    [FaceApiFact(needsLfw: true)]
    public void EnrolAndIdentifyWithThePretrainedModelFindTheEnrolledPerson()
    {
        using var temp = new TempDirectory();
        var environment = CacheEnvironment();
        var root = LfwFaces.Root!;
        var gallery = Path.Combine(temp.Path, "gallery.db");
        var enrol = CliProcess.Run(["enroll", "--gallery", gallery, "--name", "Abel", "--model", "pretrained",
            LfwFaces.ImagePath(root, "Abel_Pacheco", 1)], environment);
        Assert.True(enrol.ExitCode == 0, enrol.Stdout + enrol.Stderr);
        // The gallery remembers its model: identify needs no --model.
        var identify = CliProcess.Run(["identify", "--gallery", gallery, "--json",
            LfwFaces.ImagePath(root, "Abel_Pacheco", 4)], environment);
        Assert.True(identify.ExitCode == 0, identify.Stdout + identify.Stderr);
        var best = JsonDocument.Parse(identify.Stdout.Trim()).RootElement.GetProperty("faces")[0].GetProperty("candidates")[0];
        Assert.Equal("Abel", best.GetProperty("name").GetString());
    }
}
