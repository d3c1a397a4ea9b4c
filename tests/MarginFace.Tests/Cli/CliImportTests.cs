using MarginFace.Evaluation;
using MarginFace.Tests.Interop;

namespace MarginFace.Tests.Cli;

[Trait("Category", "Integration")]
public class CliImportTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Interop", "Fixtures", name);

    [Fact]
    public void APickleAskingForOsSystemIsRefusedInOneLineAndNothingIsWritten()
    {
        using var work = new TempDirectory();
        var output = work.Combine("face.model");
        var (exitCode, _, stderr) = CliProcess.Run(["import", "pytorch", Fixture("hostile_os_system.pt"), "--backbone", "iresnet18", "--out", output]);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("os.system", line);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(work.Path));
    }

    [Fact]
    public void AnUnknownBackboneIsRefusedBeforeTheFileIsRead()
    {
        var (exitCode, _, stderr) = CliProcess.Run(["import", "pytorch", "/no/such/file.pt", "--backbone", "resnet9000", "--out", "/tmp/never.model"]);
        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: --backbone: unknown backbone 'resnet9000'", stderr.Trim());
    }

    /// <summary>
    /// The success path as a user runs it: <c>import pytorch</c> on arcface_torch's <c>model.pt</c> and on its full training
    /// checkpoint (<c>checkpoint_gpu_0.pt</c>, whose <c>state_dict_backbone</c> is read), then <c>embed</c> on the two test
    /// images: the embeddings are PyTorch's outputs (<c>arcface_expected.json</c>, made by PyTorch 1.13), L2-normalised.
    /// </summary>
    [Theory]
    [InlineData("arcface_mbf_model.pt", "mbf")]
    [InlineData("arcface_mbf_checkpoint_gpu_0.pt", "mbf")]
    [InlineData("arcface_iresnet18_model.pt", "iresnet18")]
    public void ImportedArcfaceTorchFilesEmbedAsPyTorchDoes(string file, string backbone)
    {
        using var work = new TempDirectory();
        var model = work.Combine("face.model");
        var import = CliProcess.Run(["import", "pytorch", Fixture(file), "--backbone", backbone, "--out", model]);
        Assert.True(import.ExitCode == 0, import.Stderr);
        Assert.Contains($"wrote {model}: {backbone}, 112x112x3, 512-D", import.Stdout);

        var expected = PyTorchFixtures.Json("arcface_expected.json");
        var images = expected.GetProperty("images").EnumerateArray().Select(name => Fixture(name.GetString()!)).ToList();
        var embeddings = work.Combine("embeddings.jsonl");
        var embed = CliProcess.Run(["embed", .. images, "--model", model, "--out", embeddings, "--onnx-threads", "1"]);
        Assert.True(embed.ExitCode == 0, embed.Stderr);
        var records = EmbeddingsFile.Read(embeddings);
        var outputs = PyTorchFixtures.Doubles(expected.GetProperty("networks").GetProperty(backbone).GetProperty("output"));
        Assert.Equal(2, records.Count);
        for (int i = 0; i < 2; i++)
        {
            var raw = outputs.AsSpan(i * 512, 512).ToArray();
            var norm = Math.Sqrt(raw.Sum(v => v * v));
            var record = Assert.Single(records, r => Path.GetFileName(r.Image) == Path.GetFileName(images[i]));
            var difference = raw.Select((v, d) => Math.Abs(v / norm - record.Embedding[d])).Max();
            Assert.True(difference < 1e-5, $"{Path.GetFileName(images[i])}: largest difference {difference:E2} from PyTorch's normalised output");
        }
    }
}
