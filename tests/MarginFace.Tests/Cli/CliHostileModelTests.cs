using MarginFace.Tests.FaceModels;
using MarginFace.Tests.Interop;

namespace MarginFace.Tests.Cli;

/// <summary>The hostile model files of issue 40 through the command line: exit code 1, one line on stderr naming the file, nothing written.</summary>
public class CliHostileModelTests : TorchTest
{
    private static string OneErrorLine(int exitCode, string stderr)
    {
        Assert.Equal(1, exitCode);
        return Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ImportOfThreeGibibyteStoragesFromAThreeMegabyteFileIsOneLine()
    {
        using var work = new TempDirectory();
        var checkpoint = work.Combine("zeros.pt");
        TorchSaveFiles.WriteZerosArchive(checkpoint, TorchSaveFiles.StateDictPickle(("a", 1 << 28), ("b", 1 << 28), ("c", 1 << 28)), 3);
        var output = work.Combine("face.model");
        var (exitCode, _, stderr) = CliProcess.Run(["import", "pytorch", checkpoint, "--backbone", "iresnet18", "--out", output]);
        Assert.Contains($"{checkpoint}: its storages total {3L << 30} bytes, more than iresnet18 can use", OneErrorLine(exitCode, stderr));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void AFaceModelDeclaringA2147483647DimensionalEmbeddingIsOneLine()
    {
        using var work = new TempDirectory();
        var model = FaceModelFileBudgetTests.WithHeader(work, json => json["EmbeddingSize"] = int.MaxValue);
        var output = work.Combine("model.onnx");
        var (exitCode, _, stderr) = CliProcess.Run(["export", "--model", model, "--onnx", "--out", output]);
        Assert.Contains($"{model}: not a valid MarginFace face model (embedding size {int.MaxValue}", OneErrorLine(exitCode, stderr));
        Assert.False(File.Exists(output));
    }
}
