using System.Diagnostics;
using MarginFace.Tests.Mnist;

namespace MarginFace.Tests.Cli;

/// <summary>
/// A run stopped from outside — killed outright, or asked to stop with SIGTERM — resumes to the numbers of an uninterrupted run.
/// Every run is a separate process, so the class needs no shared-RNG isolation and runs beside the other collections; the
/// uninterrupted run is made once for both tests (<see cref="StraightRun"/>).
/// </summary>
[Trait("Category", "Integration")]
public class CliSignalTests(CliSignalTests.StraightRun straight) : IClassFixture<CliSignalTests.StraightRun>
{
    private static string[] Arguments(string data, string output) =>
        ["mnist", "--loss", "softmax", "--data", data, "--out", output, "--epochs", "2", "--batch", "50", "--test-limit", "50", "--threads", "1", "--seed", "3"];

    /// <summary>The synthetic data (3,000 training images: an epoch lasts long enough to be interrupted) and one uninterrupted run on it.</summary>
    public sealed class StraightRun : IDisposable
    {
        private readonly TempDirectory work = new();

        public StraightRun()
        {
            Data = SyntheticMnist.WriteSeparable(work.Combine("data"), trainCount: 3000, testCount: 50);
            Output = work.Combine("straight");
            var run = CliProcess.Run(Arguments(Data, Output));
            Assert.True(run.ExitCode == 0, run.Stderr);
        }

        public string Data { get; }

        public string Output { get; }

        public void Dispose() => work.Dispose();
    }

    [Fact]
    public void AKilledRunResumesFromItsLastCheckpointToTheNumbersOfAStraightRun()
    {
        using var work = new TempDirectory();
        var data = straight.Data;

        var killed = work.Combine("killed");
        using (var run = CliProcess.StartWatched(Arguments(data, killed)))
        {
            WaitForFirstEpoch(run);
            Assert.False(run.Process.HasExited, "the run finished before it could be killed; give it more data");
            run.Process.Kill(entireProcessTree: true);
            run.Process.WaitForExit();
        }
        var (state, _) = MnistResumeTests.ReadCheckpoint(Path.Combine(killed, "model.bin"));
        Assert.Single(state.History);

        var resumed = CliProcess.Run([.. Arguments(data, killed), "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        AssertSameRun(straight.Output, killed);
    }

    [Fact]
    public void SigtermSavesACheckpointExitsWith143AndTheRunResumesToTheSameNumbers()
    {
        using var work = new TempDirectory();
        var data = straight.Data;

        var stopped = work.Combine("stopped");
        using (var run = CliProcess.StartWatched(Arguments(data, stopped)))
        {
            WaitForFirstEpoch(run);
            Assert.False(run.Process.HasExited, "the run finished before the signal; give it more data");
            using (var kill = Process.Start("kill", ["-TERM", run.Process.Id.ToString()])) kill.WaitForExit();
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(2)), "the run did not stop after SIGTERM");
            Assert.Equal(143, run.Process.ExitCode);
            Assert.Contains("terminated", run.Stderr);
        }
        var (state, _) = MnistResumeTests.ReadCheckpoint(Path.Combine(stopped, "model.bin"));
        Assert.True(state.Step > 0 || state.History.Count >= 1, "the checkpoint holds the progress made before the signal");

        var resumed = CliProcess.Run([.. Arguments(data, stopped), "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        AssertSameRun(straight.Output, stopped);
    }

    /// <summary>
    /// Waits for the line "epoch 1: …", which the trainer prints after epoch 1's checkpoint is in place (the checkpoint is
    /// written, then the epoch-end callback logs): the run is then in epoch 2, 60 steps from its end.
    /// </summary>
    private static void WaitForFirstEpoch(CliProcess.WatchedRun run) =>
        Assert.True(run.WaitForLine("epoch 1:", TimeSpan.FromMinutes(3)), $"no 'epoch 1:' line; stdout: {run.Stdout} stderr: {run.Stderr}");

    private static void AssertSameRun(string expected, string actual)
    {
        var (expectedState, expectedTensors) = MnistResumeTests.ReadCheckpoint(Path.Combine(expected, "model.bin"));
        var (actualState, actualTensors) = MnistResumeTests.ReadCheckpoint(Path.Combine(actual, "model.bin"));
        Assert.Equal(expectedState.History.Select(e => (e.Epoch, e.MeanLoss, e.TrainAccuracy)), actualState.History.Select(e => (e.Epoch, e.MeanLoss, e.TrainAccuracy)));
        Assert.True(expectedTensors.AsSpan().SequenceEqual(actualTensors), "weights and optimiser state differ");
    }
}
