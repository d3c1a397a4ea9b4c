using MarginFace.Tests.Runtime;
using MarginFace.Tests.Support;

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
}
