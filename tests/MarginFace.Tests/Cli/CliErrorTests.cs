namespace MarginFace.Tests.Cli;

[Trait("Category", "Integration")]
public class CliErrorTests
{
    [Fact]
    public void MissingDataDirectoryGivesOneLineErrorAndNonZeroExit()
    {
        var missing = Path.Combine(Path.GetTempPath(), "mf-no-such-dir-" + Guid.NewGuid().ToString("N"));
        var (exitCode, _, stderr) = CliProcess.Run(["mnist", "--data", missing, "--out", Path.Combine(missing, "out")]);
        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(missing, line);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void CudaWithoutLibTorchGivesOneLineError()
    {
        var (exitCode, _, stderr) = CliProcess.Run(["info", "--device", "cuda"], new Dictionary<string, string> { ["MARGINFACE_LIBTORCH"] = "" });
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--libtorch", line);
    }

    [Fact]
    public void HelpListsTheCommands()
    {
        var (exitCode, stdout, _) = CliProcess.Run(["--help"]);
        Assert.Equal(0, exitCode);
        Assert.Contains("mnist", stdout);
        Assert.Contains("info", stdout);
    }

    [Fact]
    public void ALibTorchOfTheUsersBesideTheBundledOneIsRefusedInOneLine()
    {
        var directory = Directory.CreateTempSubdirectory("mf-byo-libtorch").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(directory, "libtorch_cpu.so"), []);
            var (exitCode, _, stderr) = CliProcess.Run(["info", "--libtorch", directory]);
            Assert.Equal(1, exitCode);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(directory, line);
            Assert.Contains("BundleLibTorch=false", line);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "frobnicate" }, "error: unknown command, option or argument 'frobnicate' (see 'marginface --help')")]
    [InlineData(new[] { "mnist", "--epoch", "3" }, "error: unknown command, option or argument '--epoch' (see 'marginface mnist --help')")]
    [InlineData(new[] { "train", "--epochs", "ten" }, "error: --epochs: expected a whole number, got 'ten' (see 'marginface train --help')")]
    public void AnUnknownOptionOrAValueOfTheWrongTypeIsOneLineNotTheHelpPage(string[] args, string message)
    {
        var (exitCode, stdout, stderr) = CliProcess.Run(args);
        Assert.Equal(1, exitCode);
        Assert.Equal(message, Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.DoesNotContain("Usage:", stdout);
    }
}
