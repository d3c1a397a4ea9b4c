using MarginFace.Tests.Training;
using MarginFace.Training;

namespace MarginFace.Tests.Cli;

/// <summary><c>train</c> into a folder holding a run neither continues nor replaces it unless told which.</summary>
public class CliTrainOverwriteTests
{
    private const int WouldOverwrite = 4;

    [Theory]
    [InlineData("config.json")]
    [InlineData("model.bin")]
    [InlineData("face.model")]
    public void TrainIntoAFolderHoldingARunIsRefusedAndTouchesNothing(string file)
    {
        using var work = new TempDirectory();
        var output = work.Combine("run");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, file), "earlier work");
        var (exitCode, stdout, stderr) = CliProcess.Run(["train", "--data", work.Combine("faces"), "--out", output]);
        Assert.Equal(WouldOverwrite, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: --out {output} holds a training run ({file}); pass --resume to continue it or --overwrite to start again", line);
        Assert.Equal("", stdout);
        Assert.Equal([file], Directory.GetFiles(output).Select(Path.GetFileName));
        Assert.Equal("earlier work", File.ReadAllText(Path.Combine(output, file)));
    }

    [Theory]
    [InlineData("--resume")]
    [InlineData("--overwrite")]
    public void TrainIntoAFolderAnotherProcessIsTrainingIntoIsRefused(string option)
    {
        using var work = new TempDirectory();
        var output = work.Combine("run");
        // The lock a running run holds (this test process stands in for it).
        using var running = TrainingRunLock.Acquire(output);
        File.WriteAllText(Path.Combine(output, "model.bin"), "being written");
        var (exitCode, _, stderr) = CliProcess.Run(["train", "--data", work.Combine("faces"), "--out", output, option]);
        Assert.Equal(WouldOverwrite, exitCode);
        Assert.Equal($"error: --out {output}: another process is training there; wait for it to finish or choose another --out",
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal("being written", File.ReadAllText(Path.Combine(output, "model.bin")));
    }

    [Fact]
    public void TheRunLockIsExclusiveAndReleasedOnDispose()
    {
        using var work = new TempDirectory();
        var output = work.Combine("run");
        Assert.False(FaceTraining.IsRunning(output));
        Assert.False(Directory.Exists(output));
        using (TrainingRunLock.Acquire(output))
        {
            Assert.True(FaceTraining.IsRunning(output));
            Assert.StartsWith($"{output}: another process is training into this folder", Assert.Throws<MarginFaceException>(() => TrainingRunLock.Acquire(output)).Message);
        }
        Assert.False(FaceTraining.IsRunning(output));
        TrainingRunLock.Acquire(output).Dispose();
    }

    [Fact]
    public void ResumeAndOverwriteExcludeEachOther()
    {
        using var work = new TempDirectory();
        var (exitCode, _, stderr) = CliProcess.Run(["train", "--data", work.Combine("faces"), "--out", work.Combine("run"), "--resume", "--overwrite"]);
        Assert.Equal(1, exitCode);
        Assert.Equal("error: --resume and --overwrite exclude each other", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void OverwriteStartsANewRunThere()
    {
        using var work = new TempDirectory();
        var data = FaceTrainingTests.WriteIdentities(work.Combine("faces"), identities: 3, images: 4);
        var output = work.Combine("run");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "config.json"), "{}");
        var train = CliProcess.Run(["train", "--data", data, "--backbone", "facemobilenet", "--epochs", "1", "--batch", "6", "--out", output, "--threads", "1", "--overwrite"]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.True(File.Exists(Path.Combine(output, "face.model")));
        Assert.NotEqual("{}", File.ReadAllText(Path.Combine(output, "config.json")));
    }
}
