using MarginFace.Models;
using MarginFace.Runtime;
using MarginFace.Tests.Cli;
using MarginFace.Tests.Mnist;
using MarginFace.Tests.Support;
using MarginFace.Tests.Training;
using MarginFace.Training;
using TorchSharp;

namespace MarginFace.Tests.Distributed;

/// <summary>
/// <c>mpirun -np 2 marginface train</c> on the two CPU cores, against one process that splits each batch into the same two
/// parts in-process (<c>--device cpu,cpu</c>, <see cref="DataParallelBackbone"/>): batch normalisation then normalises the same
/// halves by their own statistics in both, and keeps the first half's running statistics, so the two runs compute the same
/// numbers up to the order of float32 sums. A tiny backbone (clsnet, 28×28 grey) on 24 images keeps each run to seconds.
/// </summary>
[Trait("Category", "Integration")]
public class MpiTrainingTests(Xunit.Abstractions.ITestOutputHelper output) : TorchTest
{
    private static string[] Train(string data, string output, int epochs, params string[] more) =>
        ["train", "--data", data, "--out", output, "--backbone", "clsnet", "--loss", "arcface", "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
         "--lr", "0.05", "--s", "16", "--seed", "3", "--threads", "1", "--workers", "1", .. more.Contains("--batch") ? more : ["--batch", "8", .. more]];

    [MpiFact]
    public async Task TwoProcessesEndWhereOneProcessWithTheSameTwoPartsEndsAndAKilledRankStopsTheJobThatResumeFinishes()
    {
        using var work = new TempDirectory();
        var data = FaceTrainingTests.WriteIdentities(work.Combine("faces"), identities: 4, images: 6);

        // The runs that do not depend on each other run side by side: most of each is starting .NET and libtorch.
        var two = await OneBesideTwoProcesses(Train(data, work.Combine("one"), 2, "--device", "cpu,cpu"), Train(data, work.Combine("two"), 2));
        // Refused runs (an --out holding a run, a batch that does not split), beside the killed and resumed runs below.
        var againRun = Task.Run(() => MpiProcess.Run(2, Train(data, work.Combine("two"), 2)));
        var unevenRun = Task.Run(() => MpiProcess.Run(2, Train(data, work.Combine("uneven"), 1, "--batch", "7")));
        Assert.Contains("data parallel over 2 processes (MPI)", two.Output);
        Assert.Single(two.Output.Split('\n'), line => line.StartsWith("epoch 2:", StringComparison.Ordinal));

        var (oneState, oneWeights) = Weights(work.Combine("one", "model.bin"));
        var (twoState, twoWeights) = Weights(work.Combine("two", "model.bin"));
        Assert.Equal(oneWeights.Count, twoWeights.Count);
        output.WriteLine($"largest difference: {oneWeights.Max(p => MaxDifference(p.Value, twoWeights[p.Key]))}");
        // float32 (train has no float64 path): the two runs add the halves' sums in another order; after 6 steps the weights
        // differ by 2e-7 at most (s = 16; ArcFace's default s = 64 on a 2-D embedding amplifies a 1-ulp difference to 1.5e-5).
        foreach (var (name, expected) in oneWeights)
            Assert.True(MaxDifference(expected, twoWeights[name]) <= 1e-5, $"{name}: differs by {MaxDifference(expected, twoWeights[name])}");
        Assert.Equal(2, twoState.History.Count);
        foreach (var (a, b) in oneState.History.Zip(twoState.History))
        {
            Assert.Equal(a.MeanLoss, b.MeanLoss, 1e-5);
            Assert.Equal(a.TrainAccuracy, b.TrainAccuracy);
            Assert.Equal(a.Samples, b.Samples);
        }

        // Rank 1 dies in the first epoch, once rank 0 reports step 2 of 6 (so step 1's checkpoint exists; one is written every
        // step): mpirun stops rank 0 and says which rank died; --resume continues from rank 0's last checkpoint, mid-epoch, and
        // ends exactly where the uninterrupted two-process run ended.
        var killed = work.Combine("killed");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var start = MpiProcess.StartInfo(2, Train(data, killed, 2, "--save-every", "1"));
        using (var run = new CliProcess.WatchedRun(start))
        {
            Assert.True(run.WaitForLine("arcface  33%", TimeSpan.FromMinutes(3)), run.Stdout + run.Stderr);
            var ranks = MpiProcess.FindRank(killed, 1);
            Assert.NotEmpty(ranks);
            foreach (var pid in ranks) System.Diagnostics.Process.GetProcessById(pid).Kill();
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(2)));
            Assert.NotEqual(0, run.Process.ExitCode);
            Assert.Contains("exited on signal 9", run.Stdout + run.Stderr);
        }
        output.WriteLine($"killed run: {clock.Elapsed.TotalSeconds:F1} s");
        clock.Restart();
        var resumed = MpiProcess.Run(2, Train(data, killed, 2, "--save-every", "1", "--resume"));
        output.WriteLine($"resumed run: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Contains("resuming from", resumed.Output);
        var (_, straight) = MnistResumeTests.ReadCheckpoint(work.Combine("two", "model.bin"));
        var (resumedState, after) = MnistResumeTests.ReadCheckpoint(Path.Combine(killed, "model.bin"));
        Assert.Equal(twoState.History.Select(e => (e.MeanLoss, e.TrainAccuracy)), resumedState.History.Select(e => (e.MeanLoss, e.TrainAccuracy)));
        Assert.True(straight.AsSpan().SequenceEqual(after), "weights and optimiser state differ after resume");

        // Rank 0 alone decides about --out, and every rank returns its answer: exit 4, one line, nothing overwritten.
        var again = await againRun;
        Assert.Equal(4, again.ExitCode);
        Assert.Single(again.Output.Split('\n'), line => line.Contains($"error: --out {work.Combine("two")} holds a training run", StringComparison.Ordinal));
        Assert.True(MnistResumeTests.ReadCheckpoint(work.Combine("two", "model.bin")).Tensors.AsSpan().SequenceEqual(straight));

        // A batch that does not split: one line naming the rank, and that rank's exit code ends the job (MPI_Abort).
        var uneven = await unevenRun;
        Assert.Equal(1, uneven.ExitCode);
        Assert.Contains(uneven.Output.Split('\n'), line => line.Contains("error: rank ", StringComparison.Ordinal)
            && line.EndsWith(" of 2: --batch 7 does not split into 2 equal parts; choose a multiple of the number of processes", StringComparison.Ordinal));
        Assert.False(File.Exists(work.Combine("uneven", "model.bin")));
    }

    /// <summary>
    /// Partial FC under mpirun shards the centres by rank (PartialFC_V2): 8 identities, rank 0 holds classes 0–3 and rank 1
    /// classes 4–7. At r = 1 every centre is used, so two processes compute what one process computes for the whole batch:
    /// lenetpp has no batch normalisation, so the reference is one process on one device, and --clip-grad 0.5 makes the
    /// clipping (the shards' squared norms all-reduced) take part. The checkpoint, written every step, holds the gathered
    /// centres and their momentum in the one-process layout; a run whose rank 1 is killed at step 4 of 12 resumes
    /// (each rank taking its rows back) and ends byte for byte where the straight two-process run ends.
    /// </summary>
    [MpiFact]
    public async Task ShardedPartialFcOverTwoProcessesEndsWhereOneProcessEndsAndResumesExactly()
    {
        using var work = new TempDirectory();
        var data = FaceTrainingTests.WriteIdentities(work.Combine("faces"), identities: 8, images: 3);
        string[] Pfc(string output, params string[] more) =>
            ["train", "--data", data, "--out", output, "--backbone", "lenetpp", "--embedding", "8", "--loss", "cosface", "--partial-fc", "1.0",
             "--epochs", "2", "--batch", "4", "--lr", "0.1", "--s", "16", "--seed", "5", "--threads", "1", "--workers", "1", "--no-flip",
             "--clip-grad", "0.5", "--save-every", "1", .. more];
        var two = await OneBesideTwoProcesses(Pfc(work.Combine("one")), Pfc(work.Combine("two")));
        Assert.Contains("Partial FC: class centres sharded over 2 processes, rank 0 holds [0, 4)", two.Output);

        var (oneState, oneWeights) = Weights(work.Combine("one", "model.bin"), classes: 8);
        var (twoState, twoWeights) = Weights(work.Combine("two", "model.bin"), classes: 8);
        Assert.Contains("head.weight", oneWeights.Keys);
        output.WriteLine($"largest difference: {oneWeights.Max(p => MaxDifference(p.Value, twoWeights[p.Key]))} (centres {MaxDifference(oneWeights["head.weight"], twoWeights["head.weight"])})");
        foreach (var (name, expected) in oneWeights)
            Assert.True(MaxDifference(expected, twoWeights[name]) <= 1e-5, $"{name}: differs by {MaxDifference(expected, twoWeights[name])}");
        Assert.Equal(2, twoState.History.Count);
        foreach (var (a, b) in oneState.History.Zip(twoState.History))
        {
            Assert.Equal(a.MeanLoss, b.MeanLoss, 1e-5);
            Assert.Equal(a.TrainAccuracy, b.TrainAccuracy);
        }
        // The optimiser state (the gathered momentum among it) in the one-process layout: same size, same values to 1e-5.
        var (_, oneAll) = MnistResumeTests.ReadCheckpoint(work.Combine("one", "model.bin"));
        var (_, straight) = MnistResumeTests.ReadCheckpoint(work.Combine("two", "model.bin"));
        Assert.Equal(oneAll.Length, straight.Length);

        var killed = work.Combine("killed");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var run = new CliProcess.WatchedRun(MpiProcess.StartInfo(2, Pfc(killed))))
        {
            Assert.True(run.WaitForLine("cosface  33%", TimeSpan.FromMinutes(3)), run.Stdout + run.Stderr);
            foreach (var pid in MpiProcess.FindRank(killed, 1)) System.Diagnostics.Process.GetProcessById(pid).Kill();
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(2)));
        }
        var resumed = MpiProcess.Run(2, Pfc(killed, "--resume"));
        output.WriteLine($"killed and resumed: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Contains("resuming from", resumed.Output);
        var (resumedState, after) = MnistResumeTests.ReadCheckpoint(Path.Combine(killed, "model.bin"));
        Assert.Equal(twoState.History.Select(e => (e.MeanLoss, e.TrainAccuracy)), resumedState.History.Select(e => (e.MeanLoss, e.TrainAccuracy)));
        Assert.True(straight.AsSpan().SequenceEqual(after), "weights and optimiser state differ after resume");
    }

    /// <summary>
    /// Sharded Partial FC at r = 0.5 over 16 identities (8 per rank, 4 drawn by each): every step's loss stays below the
    /// largest a CosFace row can have when its target is in some rank's sample, s(2 + m) + ln 15 = 12.1 at s = 4, m = 0.35,
    /// while one row whose positive class were in no sample would add −ln(1e-30)/4 = 17.3 to the batch's mean (the sharded
    /// cross-entropy clamps the target's probability there); and two runs from the same seed write the same bytes
    /// (face.model, and the tensors of model.bin: the gathered centres and momentum among them).
    /// </summary>
    [MpiFact]
    public async Task ShardedPartialFcAtHalfTheClassesKeepsEveryPositiveAndRepeatsExactly()
    {
        using var work = new TempDirectory();
        var data = FaceTrainingTests.WriteIdentities(work.Combine("faces"), identities: 16, images: 2);
        const double s = 4, m = 0.35;
        string[] Sampled(string output) =>
            ["train", "--data", data, "--out", output, "--backbone", "lenetpp", "--embedding", "8", "--loss", "cosface", "--partial-fc", "0.5",
             "--epochs", "1", "--batch", "4", "--lr", "0.1", "--s", "4", "--m", "0.35", "--seed", "7", "--threads", "1", "--workers", "1", "--no-flip"];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var secondRun = Task.Run(() => MpiProcess.Run(2, Sampled(work.Combine("b"))));
        var first = MpiProcess.Run(2, Sampled(work.Combine("a")));
        ((IAsyncResult)secondRun).AsyncWaitHandle.WaitOne();  // so the await below goes on on this thread, the dispose scope's
        var second = await secondRun;
        output.WriteLine($"two sampled two-process runs, side by side: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("Partial FC: class centres sharded over 2 processes, rank 0 holds [0, 8)", first.Output);

        var losses = System.Text.RegularExpressions.Regex.Matches(first.Output, @"epoch 1/1 loss (\d+\.\d+)")
            .Select(match => double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(losses);
        var bound = s * (2 + m) + Math.Log(15);
        output.WriteLine($"{losses.Count} step losses, the largest {losses.Max():0.000} (bound {bound:0.000})");
        Assert.All(losses, loss => Assert.True(loss < bound, $"a step's loss {loss} is above {bound}: a positive class was in no rank's sample"));

        Assert.True(File.ReadAllBytes(work.Combine("a", "face.model")).AsSpan().SequenceEqual(File.ReadAllBytes(work.Combine("b", "face.model"))), "face.model differs between two runs");
        // The checkpoint's tensors (its state holds the run's timings, which differ).
        Assert.True(MnistResumeTests.ReadCheckpoint(work.Combine("a", "model.bin")).Tensors.AsSpan().SequenceEqual(MnistResumeTests.ReadCheckpoint(work.Combine("b", "model.bin")).Tensors),
            "model.bin's weights and optimiser state differ between two runs");
    }

    /// <summary>
    /// The replicated centres (focal loss is not sharded: every rank holds every centre, averaged like the backbone, and draws
    /// the sample one process draws from the all-gathered labels) at r = 0.75: two processes end within 1e-5 of one process on
    /// one device (lenetpp, no batch normalisation), weights, centres and the epochs' losses. (With --optimizer adam, the
    /// other way to this path, the backbone differed by up to 1.8e-4 after 12 steps: Adam's g/√v turns the float32
    /// sum-order differences of near-zero gradients into steps of the learning rate's size.)
    /// </summary>
    [MpiFact]
    public async Task ReplicatedPartialFcWithFocalLossOverTwoProcessesEndsWhereOneProcessEnds()
    {
        using var work = new TempDirectory();
        var data = FaceTrainingTests.WriteIdentities(work.Combine("faces"), identities: 8, images: 3);
        string[] Focal(string output) =>
            ["train", "--data", data, "--out", output, "--backbone", "lenetpp", "--embedding", "8", "--loss", "cosface", "--partial-fc", "0.75",
             "--focal-gamma", "2", "--epochs", "2", "--batch", "4", "--lr", "0.1", "--s", "16", "--seed", "5", "--threads", "1", "--workers", "1", "--no-flip"];
        var two = await OneBesideTwoProcesses(Focal(work.Combine("one")), Focal(work.Combine("two")));
        Assert.DoesNotContain("class centres sharded", two.Output);

        var (oneState, oneWeights) = Weights(work.Combine("one", "model.bin"), classes: 8);
        var (twoState, twoWeights) = Weights(work.Combine("two", "model.bin"), classes: 8);
        output.WriteLine($"largest difference: {oneWeights.Max(p => MaxDifference(p.Value, twoWeights[p.Key]))} (centres {MaxDifference(oneWeights["head.weight"], twoWeights["head.weight"])})");
        foreach (var (name, expected) in oneWeights)
            Assert.True(MaxDifference(expected, twoWeights[name]) <= 1e-5, $"{name}: differs by {MaxDifference(expected, twoWeights[name])}");
        Assert.Equal(2, twoState.History.Count);
        foreach (var (a, b) in oneState.History.Zip(twoState.History))
            Assert.Equal(a.MeanLoss, b.MeanLoss, 1e-5);
    }

    /// <summary>
    /// Runs <paramref name="oneArgs"/> in one process beside <paramref name="twoArgs"/> under <c>mpirun -np 2</c> (most of each
    /// is starting .NET and libtorch), checks both succeeded and returns the two-process run.
    /// </summary>
    private async Task<(int ExitCode, string Output)> OneBesideTwoProcesses(string[] oneArgs, string[] twoArgs)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var oneRun = Task.Run(() => CliProcess.Run(oneArgs));
        var two = MpiProcess.Run(2, twoArgs);
        ((IAsyncResult)oneRun).AsyncWaitHandle.WaitOne();  // so the await below goes on on this thread, the dispose scope's
        var one = await oneRun;
        output.WriteLine($"one process and two processes, side by side: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(one.ExitCode == 0, one.Stderr);
        Assert.True(two.ExitCode == 0, two.Output);
        return two;
    }

    /// <summary>The checkpoint's state and every weight of its backbone and head, by name.</summary>
    private static (TrainingCheckpointState State, Dictionary<string, double[]> Weights) Weights(string checkpoint, int classes = 4)
    {
        var options = JsonConfig.Read<FaceTrainingOptions>(Path.Combine(Path.GetDirectoryName(checkpoint)!, "config.json"));
        using var backbone = BackboneFactory.Create(options.Backbone, options.Embedding, options.Dropout);
        using var objective = LossRegistry.Create(options.Loss, backbone.Spec.EmbeddingSize, classes, options.LossSettings);
        var state = Checkpoint.LoadModules(checkpoint, [backbone.Module, .. objective.Modules]);
        var weights = new Dictionary<string, double[]>();
        foreach (var (name, tensor) in backbone.Module.state_dict()) weights["backbone." + name] = Values(tensor);
        foreach (var module in objective.Modules)
            foreach (var (name, tensor) in module.state_dict()) weights["head." + name] = Values(tensor);
        return (state, weights);
    }

    private static double[] Values(torch.Tensor tensor)
    {
        using var values = tensor.detach().to(torch.float64).cpu().flatten();
        return values.data<double>().ToArray();
    }

    private static double MaxDifference(double[] a, double[] b) =>
        a.Length != b.Length ? double.PositiveInfinity : a.Zip(b).Select(p => Math.Abs(p.First - p.Second)).DefaultIfEmpty(0).Max();
}
