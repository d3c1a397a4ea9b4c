using System.Diagnostics;
using MarginFace.Tests.Data;
using MarginFace.Tests.Mnist;

namespace MarginFace.Tests.Cli;

/// <summary>A run stopped from outside — killed outright, or asked to stop with SIGTERM — resumes to the numbers of an uninterrupted run.</summary>
[Collection(SequentialTorchCollection.Name)]
public class CliSignalTests
{
    private static string[] Arguments(string data, string output) =>
        ["mnist", "--loss", "softmax", "--data", data, "--out", output, "--epochs", "3", "--batch", "50", "--test-limit", "50", "--threads", "1", "--seed", "3"];

    [Fact]
    public void AKilledRunResumesFromItsLastCheckpointToTheNumbersOfAStraightRun()
    {
        using var work = new TempDirectory();
        var data = SyntheticMnist.WriteSeparable(work.Combine("data"), trainCount: 3000, testCount: 50);
        var straight = CliProcess.Run(Arguments(data, work.Combine("straight")));
        Assert.True(straight.ExitCode == 0, straight.Stderr);

        var killed = work.Combine("killed");
        var (process, _, _) = CliProcess.Start(Arguments(data, killed));
        using (process)
        {
            WaitForCheckpoint(process, Path.Combine(killed, "model.bin"));
            Assert.False(process.HasExited, "the run finished before it could be killed; give it more data");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        var (state, _) = MnistResumeTests.ReadCheckpoint(Path.Combine(killed, "model.bin"));
        Assert.InRange(state.History.Count, 1, 2);

        var resumed = CliProcess.Run([.. Arguments(data, killed), "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        AssertSameRun(work.Combine("straight"), killed);
    }

    [Fact]
    public void SigtermSavesACheckpointExitsWith143AndTheRunResumesToTheSameNumbers()
    {
        using var work = new TempDirectory();
        var data = SyntheticMnist.WriteSeparable(work.Combine("data"), trainCount: 3000, testCount: 50);
        var straight = CliProcess.Run(Arguments(data, work.Combine("straight")));
        Assert.True(straight.ExitCode == 0, straight.Stderr);

        var stopped = work.Combine("stopped");
        var (process, _, stderr) = CliProcess.Start(Arguments(data, stopped));
        using (process)
        {
            WaitForCheckpoint(process, Path.Combine(stopped, "model.bin"));
            Assert.False(process.HasExited, "the run finished before the signal; give it more data");
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) kill.WaitForExit();
            Assert.True(process.WaitForExit(120_000), "the run did not stop after SIGTERM");
            Assert.Equal(143, process.ExitCode);
        }
        Assert.Contains("terminated", stderr.Result);
        var (state, _) = MnistResumeTests.ReadCheckpoint(Path.Combine(stopped, "model.bin"));
        Assert.True(state.Step > 0 || state.History.Count >= 1, "the checkpoint holds the progress made before the signal");

        var resumed = CliProcess.Run([.. Arguments(data, stopped), "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        AssertSameRun(work.Combine("straight"), stopped);
    }

    private static void WaitForCheckpoint(Process process, string checkpoint)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(checkpoint) && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
        Assert.True(File.Exists(checkpoint), "no checkpoint was written");
        Thread.Sleep(300);
    }

    private static void AssertSameRun(string expected, string actual)
    {
        var (expectedState, expectedTensors) = MnistResumeTests.ReadCheckpoint(Path.Combine(expected, "model.bin"));
        var (actualState, actualTensors) = MnistResumeTests.ReadCheckpoint(Path.Combine(actual, "model.bin"));
        Assert.Equal(expectedState.History.Select(e => (e.Epoch, e.MeanLoss, e.TrainAccuracy)), actualState.History.Select(e => (e.Epoch, e.MeanLoss, e.TrainAccuracy)));
        Assert.True(expectedTensors.AsSpan().SequenceEqual(actualTensors), "weights and optimiser state differ");
    }
}
