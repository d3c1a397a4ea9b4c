using System.Text.Json;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using MarginFace.Evaluation;
using MarginFace.FaceModels;
using MarginFace.Models;
using MarginFace.Pipeline;

namespace MarginFace.Tests.Cli;

/// <summary>The commands that embed take an ONNX <c>--model</c> (run by ONNX Runtime) and agree with the face model file it came from.</summary>
[Trait("Category", "Integration")]
public class CliOnnxTests : TorchTest
{
    private const float Tolerance = 1e-4f;

    /// <summary>Two folds of one same and one different pair of real LFW images.</summary>
    private const string PairsText = "2\t1\nAbel_Pacheco\t1\t4\nAbdel_Madi_Shabneh\t1\tDean_Barker\t1\nAkhmed_Zakayev\t1\t3\nAbdel_Madi_Shabneh\t1\tGiancarlo_Fisichella\t1\n";

    /// <summary>
    /// An untrained mobilefacenet face model file (centre 150 crop) and its ONNX model, written through <c>marginface export --onnx</c>
    /// or, to save a process, by the library call that command makes.
    /// </summary>
    private static (string Model, string Onnx) Models(TempDirectory dir, bool throughCli = false)
    {
        torch.random.manual_seed(9);
        using var backbone = BackboneFactory.Create("mobilefacenet");
        backbone.Module.eval();
        var s = backbone.Spec;
        var model = dir.Combine("face.model");
        FaceModelFile.Save(model, backbone.Module, new FaceModelInfo
        {
            Backbone = s.Name, EmbeddingSize = s.EmbeddingSize, InputWidth = s.InputWidth, InputHeight = s.InputHeight,
            Channels = s.Channels, Normalization = s.Normalization, Crop = "center:150",
        });
        var onnx = dir.Combine("face.onnx");
        if (throughCli)
        {
            var (exit, _, stderr) = CliProcess.Run(["export", "--model", model, "--onnx", "--out", onnx]);
            Assert.True(exit == 0, stderr);
        }
        else
        {
            using var loaded = FaceModelFile.Load(model);
            MarginFace.Interop.Onnx.OnnxExporter.Export(loaded, onnx);
        }
        return (model, onnx);
    }

    [SharedDataFact("data/lfw/pairs.txt", "data/lfw/lfw-deepfunneled/Abel_Pacheco/Abel_Pacheco_0001.jpg", "data/lfw/lfw-deepfunneled/Abel_Pacheco/Abel_Pacheco_0004.jpg")]
    public void EmbedVerifyAndEvalLfwGiveTheSameResultsWithTheOnnxExportAsWithTheFaceModelFile()
    {
        using var dir = new TempDirectory();
        var (model, onnx) = Models(dir, throughCli: true);
        string[] images = [TestImages.LfwPath("Abel_Pacheco", 1), TestImages.LfwPath("Abel_Pacheco", 4)];
        var embeddings = new Dictionary<string, IReadOnlyList<ImageEmbedding>>();
        foreach (var file in new[] { model, onnx })
        {
            var output = file + ".jsonl";
            var (exit, _, stderr) = CliProcess.Run(["embed", .. images, "--model", file, "--flip", "--onnx-threads", "1", "--out", output]);
            Assert.True(exit == 0, stderr);
            Assert.DoesNotContain("NNPACK", stderr); // libtorch's per-convolution warning on CPUs NNPACK does not support
            embeddings[file] = EmbeddingsFile.Read(output);
        }
        var difference = embeddings[model].Zip(embeddings[onnx], (a, b) => a.Embedding.Zip(b.Embedding, (x, y) => MathF.Abs(x - y)).Max()).Max();
        Assert.True(difference <= Tolerance, $"max |onnx - torch| = {difference}");

        var similarities = new[] { model, onnx }.Select(file =>
        {
            var (exit, stdout, stderr) = CliProcess.Run(["verify", .. images, "--model", file, "--threshold", "-1", "--json", "--onnx-threads", "1"]);
            Assert.True(exit == 0, stderr);
            return JsonDocument.Parse(stdout).RootElement.GetProperty("similarity").GetDouble();
        }).ToArray();
        Assert.Equal(similarities[0], similarities[1], 4);

        File.WriteAllText(dir.Combine("pairs.txt"), PairsText);
        var accuracies = new[] { model, onnx }.Select(file =>
        {
            var (exit, stdout, stderr) = CliProcess.Run(["eval", "lfw", "--pairs", dir.Combine("pairs.txt"), "--model", file,
                "--images", SharedData.LfwImagesDirectory, "--out", file + ".eval"]);
            Assert.True(exit == 0, stderr);
            Assert.Contains(Path.GetFileName(file), stdout);
            return JsonDocument.Parse(File.ReadAllText(Path.Combine(file + ".eval", "report.json"))).RootElement.GetProperty("meanAccuracy").GetDouble();
        }).ToArray();
        Assert.Equal(accuracies[0], accuracies[1]);
    }

    [Fact]
    public void AnOnnxModelWithoutMetadataNeedsTheArcFaceOptionAndACorruptOneIsAOneLineError()
    {
        using var dir = new TempDirectory();
        var (_, onnx) = Models(dir);
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnx));
        proto.MetadataProps.Clear();
        var stripped = dir.Combine("arcface-style.onnx");
        File.WriteAllBytes(stripped, proto.ToByteArray());
        var image = dir.Combine("face.png");
        FaceImageFile.SavePng(TestImages.Blank(112, 112, 90), image);

        var (exit, stdout, stderr) = CliProcess.Run(["embed", image, "--model", stripped, "--json"]);
        Assert.Equal(1, exit);
        Assert.Equal($"error: {stripped}: this ONNX model has no MarginFace metadata (input size, channels, normalisation); for a third-party ArcFace-style model (112x112 RGB, (x - 127.5)/127.5) add --onnx-preprocessing arcface",
            stderr.Trim());

        (exit, stdout, stderr) = CliProcess.Run(["embed", image, "--model", stripped, "--onnx-preprocessing", "arcface", "--json", "--onnx-threads", "1"]);
        Assert.True(exit == 0, stderr);
        Assert.Equal(128, JsonDocument.Parse(stdout).RootElement.GetProperty("embedding").GetArrayLength());

        var truncated = dir.Combine("truncated.onnx");
        File.WriteAllBytes(truncated, File.ReadAllBytes(onnx)[..1000]);
        (exit, _, stderr) = CliProcess.Run(["verify", image, image, "--model", truncated, "--threshold", "0.5"]);
        Assert.Equal(1, exit);
        Assert.StartsWith($"error: {truncated}: not a valid ONNX model (", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1, TestImages.SerenaWilliams1)]
    public void AGalleryEnrolledWithTheOnnxExportIdentifiesWithTheFaceModelFileItCameFrom()
    {
        using var dir = new TempDirectory();
        var (model, onnx) = Models(dir);
        var db = dir.Combine("g.db");
        var (exit, _, stderr) = CliProcess.Run(["enroll", TestImages.LfwPath("Colin_Powell", 1), "--gallery", db, "--name", "Colin", "--model", onnx, "--onnx-threads", "1"]);
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = CliProcess.Run(["enroll", TestImages.LfwPath("Serena_Williams", 1), "--gallery", db, "--name", "Serena", "--model", onnx, "--onnx-threads", "1"]);
        Assert.True(exit == 0, stderr);
        (exit, var stdout, stderr) = CliProcess.Run(["identify", TestImages.LfwPath("Serena_Williams", 1), "--gallery", db, "--model", model, "--json", "--onnx-threads", "1"]);
        Assert.True(exit == 0, stderr);
        var best = JsonDocument.Parse(stdout).RootElement.GetProperty("faces")[0].GetProperty("candidates")[0];
        Assert.Equal("Serena", best.GetProperty("name").GetString());
        Assert.Equal(1.0, best.GetProperty("similarity").GetDouble(), 4);
    }
}
