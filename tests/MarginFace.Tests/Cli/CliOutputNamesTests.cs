namespace MarginFace.Tests.Cli;

/// <summary><c>align</c> and <c>detect --draw</c> never let two inputs' outputs overwrite each other.</summary>
public class CliOutputNamesTests
{
    private const int WouldOverwrite = 4;

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string[] WithModel(params string[] args) => [.. args, "--detector", TestImages.YuNetPath, "--onnx-threads", "1"];

    private static string[] Files(string directory) =>
        [.. Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/')).Order()];

    /// <summary>ORL's layout: s1/1.pgm, s2/1.pgm … one file name in many folders.</summary>
    private static (string A, string B) SameNameInTwoFolders(TempDirectory dir)
    {
        var a = dir.Combine("in", "a", "face.jpg");
        var b = dir.Combine("in", "b", "face.jpg");
        Directory.CreateDirectory(Path.GetDirectoryName(a)!);
        Directory.CreateDirectory(Path.GetDirectoryName(b)!);
        File.Copy(TestImages.LfwPath("Colin_Powell", 1), a);
        File.Copy(TestImages.LfwPath("Serena_Williams", 1), b);
        return (a, b);
    }

    [SharedDataFact(TestImages.YuNetModel)]
    public void AlignKeepsThePathBelowTheCommonFolderSoSameNamesInOtherFoldersSurvive()
    {
        using var dir = new TempDirectory();
        var (a, b) = SameNameInTwoFolders(dir);
        var output = dir.Combine("out");
        var (exitCode, stdout, stderr) = CliProcess.Run(WithModel("align", a, b, "--out", output));
        Assert.True(exitCode == 0, stderr);
        Assert.Equal(["a/face.png", "b/face.png"], Files(output));
        Assert.Equal(2, Lines(stdout).Length);
    }

    [SharedDataFact(TestImages.YuNetModel)]
    public void DetectDrawKeepsThePathBelowTheCommonFolder()
    {
        using var dir = new TempDirectory();
        var (a, b) = SameNameInTwoFolders(dir);
        var output = dir.Combine("drawn");
        var (exitCode, _, stderr) = CliProcess.Run(WithModel("detect", a, b, "--draw", output));
        Assert.True(exitCode == 0, stderr);
        Assert.Equal(["a/face.png", "b/face.png"], Files(output));
    }

    [SharedDataFact(TestImages.YuNetModel)]
    public void NamesThatWouldStillMeetAreRefusedBeforeAnythingIsWritten()
    {
        using var dir = new TempDirectory();
        var (a, _) = SameNameInTwoFolders(dir);
        var twin = Path.ChangeExtension(a, ".png");
        File.Copy(a, twin);
        var third = dir.Combine("in", "b", "face.jpg");
        foreach (var command in new[] { new[] { "align", third, a, twin, "--out", dir.Combine("out") }, ["detect", third, a, twin, "--draw", dir.Combine("out")] })
        {
            var (exitCode, stdout, stderr) = CliProcess.Run(WithModel(command));
            Assert.Equal(WouldOverwrite, exitCode);
            var line = Assert.Single(Lines(stderr));
            Assert.StartsWith("error: --", line);
            Assert.Contains(a, line);
            Assert.Contains(twin, line);
            Assert.Equal("", stdout);
            Assert.False(Directory.Exists(dir.Combine("out")));
        }
    }

    [SharedDataFact(TestImages.YuNetModel)]
    public void AnOutputThatIsAnInputIsRefused()
    {
        using var dir = new TempDirectory();
        var (a, _) = SameNameInTwoFolders(dir);
        var png = Path.ChangeExtension(a, ".png");
        File.Copy(a, png);
        var before = File.ReadAllBytes(png);
        var (exitCode, _, stderr) = CliProcess.Run(WithModel("align", png, "--out", Path.GetDirectoryName(png)!));
        Assert.Equal(WouldOverwrite, exitCode);
        Assert.Contains("would overwrite the input", Assert.Single(Lines(stderr)));
        Assert.Equal(before, File.ReadAllBytes(png));
    }
}
