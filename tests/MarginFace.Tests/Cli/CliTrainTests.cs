using MarginFace.Evaluation;
using MarginFace.Tests.Training;

namespace MarginFace.Tests.Cli;

/// <summary>
/// <c>marginface train</c> and what reads its output (export, embed, verify), each a separate process: no shared-RNG
/// isolation needed, so the class runs beside the other collections.
/// </summary>
[Trait("Category", "Integration")]
public class CliTrainTests
{
    [Fact]
    public void TrainCommandRefusesAnUnknownBackboneBeforeReadingData()
    {
        var missing = Path.Combine(Path.GetTempPath(), "marginface-no-faces-" + Guid.NewGuid().ToString("N"));
        var (exitCode, _, stderr) = CliProcess.Run(["train", "--data", missing, "--backbone", "resnet9000", "--out", Path.Combine(missing, "out")]);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --backbone: unknown backbone 'resnet9000'", line);
    }

    [Fact]
    public void TrainCommandWritesAFaceModelThatExportReads()
    {
        using var work = new TempDirectory();
        var data = FaceTrainingTests.WriteIdentities(work.Combine("faces"), identities: 3, images: 4);
        var output = work.Combine("run");
        var train = CliProcess.Run(["train", "--data", data, "--backbone", "mobilefacenet", "--epochs", "1", "--batch", "6", "--out", output, "--threads", "1"]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.True(File.Exists(Path.Combine(output, "face.model")));
        var export = CliProcess.Run(["export", "--model", Path.Combine(output, "model.bin"), "--out", work.Combine("deploy.model")]);
        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.Contains("mobilefacenet, 112x112x3, 128-D", export.Stdout);

        var model = work.Combine("deploy.model");
        var onnx = CliProcess.Run(["export", "--model", model, "--onnx", "--out", work.Combine("face.onnx")]);
        Assert.True(onnx.ExitCode == 0, onnx.Stderr);
        using (var session = new Microsoft.ML.OnnxRuntime.InferenceSession(work.Combine("face.onnx")))
            Assert.Equal("mobilefacenet", session.ModelMetadata.CustomMetadataMap["backbone"]);
        var embeddings = work.Combine("embeddings.jsonl");
        var embed = CliProcess.Run(["embed", data, "--model", model, "--out", embeddings, "--flip"]);
        Assert.True(embed.ExitCode == 0, embed.Stderr);
        var records = EmbeddingsFile.Read(embeddings);
        Assert.Equal(12, records.Count);
        Assert.All(records, r => Assert.Equal(128, r.Embedding.Length));

        var a = Path.Combine(data, "person_0", "000.png");
        var b = Path.Combine(data, "person_1", "000.png");
        var verify = CliProcess.Run(["verify", a, b, "--model", model, "--threshold", "1.01", "--json"]);
        Assert.Equal(3, verify.ExitCode);
        Assert.Contains("\"same\":false", verify.Stdout);
        var itself = CliProcess.Run(["verify", a, a, "--model", model, "--threshold", "0.5"]);
        Assert.Equal(0, itself.ExitCode);
        Assert.Contains("same person", itself.Stdout);
        var noThreshold = CliProcess.Run(["verify", a, b, "--model", model]);
        Assert.Equal(1, noThreshold.ExitCode);
        Assert.StartsWith($"error: {model}: the model has no verification threshold", noThreshold.Stderr.Trim());
        var missing = CliProcess.Run(["embed", work.Combine("nothing-here.jpg"), "--model", model]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"error: {work.Combine("nothing-here.jpg")}: no such file or folder", missing.Stderr.Trim());
    }

    [Theory]
    [InlineData(new[] { "--partial-fc", "0" }, "error: --partial-fc: expected a sample rate in (0, 1], got 0")]
    [InlineData(new[] { "--partial-fc", "0.5", "--loss", "softmax" }, "error: --partial-fc: SoftmaxHead has no logits-from-cosine step; use a cosine margin head. (--loss softmax)")]
    [InlineData(new[] { "--partial-fc", "0.5", "--loss", "triplet", "--pk", "2,2" }, "error: --partial-fc: Partial FC is for the margin heads, not triplet")]
    [InlineData(new[] { "--device", "cpu,,cpu" }, "error: --device: expected a device or a comma-separated list of devices, got 'cpu,,cpu'")]
    [InlineData(new[] { "--device", "cpu,cuda:1" }, "error: --device cuda:1 needs a CUDA-enabled libtorch")]
    [InlineData(new[] { "--crop", "middle" }, "error: --crop: crop 'middle': expected 'none', 'center:SIZE'")]
    [InlineData(new[] { "--pk", "16", "--loss", "triplet" }, "error: --pk: P×K plan '16': expected P,K")]
    [InlineData(new[] { "--optimizer", "lbfgs" }, "error: --optimizer: expected sgd or adam, got 'lbfgs'")]
    [InlineData(new[] { "--precision", "fp8" }, "error: --precision: expected fp32, bf16 or fp16, got 'fp8'")]
    [InlineData(new[] { "--precision", "bf16", "--device", "cpu,cpu" }, "error: --precision bf16: mixed precision trains on one device, not 2")]
    public void PartialFcAndDeviceListMistakesAreOneLineBeforeAnyDataIsRead(string[] options, string message)
    {
        var missing = Path.Combine(Path.GetTempPath(), "marginface-no-faces-" + Guid.NewGuid().ToString("N"));
        var (exitCode, _, stderr) = CliProcess.Run(["train", "--data", missing, "--out", Path.Combine(missing, "out"), .. options]);
        Assert.Equal(1, exitCode);
        Assert.StartsWith(message, Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void ADeviceListIsForTrainOnly()
    {
        var (exitCode, _, stderr) = CliProcess.Run(["info", "--device", "cpu,cpu"]);
        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: --device: a list of devices ('cpu,cpu') is for train only", stderr.Trim());
    }

    [Fact]
    public void TrainOnTwoDevicesWithShardedPartialFcWritesAModel()
    {
        using var work = new TempDirectory();
        var data = FaceTrainingTests.WriteIdentities(work.Combine("faces"), identities: 4, images: 3);
        var output = work.Combine("run");
        var train = CliProcess.Run(["train", "--data", data, "--backbone", "facemobilenet", "--epochs", "1", "--batch", "6", "--partial-fc", "0.5",
            "--device", "cpu,cpu", "--out", output, "--threads", "1"]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.Contains("devices: cpu,cpu", train.Stdout);
        Assert.Contains("data parallel over cpu, cpu; class centres in 2 shards", train.Stdout + train.Stderr);
        Assert.True(File.Exists(Path.Combine(output, "face.model")));
    }
}
