using System.Diagnostics;
using System.Text.Json;
using MarginFace.Data;
using MarginFace.Evaluation;
using MarginFace.Models;
using MarginFace.Runtime;
using MarginFace.Visualization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// The classic feature experiment: train a small CNN with a low-dimensional feature layer on MNIST (or Fashion-MNIST)
/// with one loss, report test accuracy, and draw the test features coloured by class.
/// Writes <c>config.json</c>, <c>model.bin</c> (checkpoint after every epoch), <c>metrics.json</c> and the plots.
/// </summary>
public static class MnistExperiment
{
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Runs the experiment. With <paramref name="resume"/>, continues from the checkpoint in the output directory.</summary>
    public static MnistExperimentResult Run(MnistExperimentOptions options, Device device, ITrainingCallback? callback = null,
        IProgress<string>? log = null, bool resume = false, CancellationToken cancellation = default)
    {
        if (options.Epochs < 1) throw new MarginFaceException($"--epochs: expected a positive number, got {options.Epochs}");
        options = MnistRecipes.Resolve(options);
        var wall = Stopwatch.StartNew();
        var directory = new DatasetCache().EnsureAvailable(options.Dataset, options.DataDirectory, log);
        var train = MnistDataset.Load(directory, options.Dataset, DatasetSplit.Train);
        var test = MnistDataset.Load(directory, options.Dataset, DatasetSplit.Test);
        if (options.TrainLimit is int trainLimit && trainLimit < train.Count) train = train.Take(trainLimit);
        if (options.TestLimit is int testLimit && testLimit < test.Count) test = test.Take(testLimit);
        log?.Report($"data: {train.Count} training and {test.Count} test images from {directory}");

        torch.manual_seed(options.Seed);
        var (trainImages, trainLabels) = train.ToTensors();
        var (testImages, testLabels) = test.ToTensors();
        using var disposeTrainImages = trainImages;
        using var disposeTrainLabels = trainLabels;
        using var disposeTestImages = testImages;
        using var disposeTestLabels = testLabels;

        using var backbone = new ClsNet(options.FeatureDim);
        using var objective = MnistObjectives.Create(options.Loss, options.FeatureDim, MnistDataset.Classes, options.LossParameters, options.MarginWarmupEpochs, options.Seed);
        backbone.to(device);
        foreach (var module in objective.Modules) module.to(device);
        using var optimizer = CreateOptimizer(options, backbone, objective);

        Directory.CreateDirectory(options.OutputDirectory);
        var configJson = JsonSerializer.Serialize(options with { OutputDirectory = "", DataDirectory = null }, JsonOptions);
        var checkpointPath = Path.Combine(options.OutputDirectory, "model.bin");
        var trainer = new Trainer(backbone, objective, optimizer, device, new TrainerOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            Schedule = options.Schedule,
            Seed = options.Seed,
            CheckpointPath = checkpointPath,
            Fingerprint = configJson,
        }, objective is TripletObjective ? PKBatches(train, options) : null);
        if (resume)
        {
            trainer.Resume(checkpointPath);
            log?.Report($"resuming from {checkpointPath} after {trainer.History.Count} finished epoch(s)");
        }
        AtomicFile.WriteAllText(Path.Combine(options.OutputDirectory, "config.json"), configJson);

        var epochs = trainer.Fit(trainImages, trainLabels, new LoggingCallback(callback, log), cancellation);

        using var features = Embedder.Embed(backbone, testImages, device);
        objective.Train(false);
        double accuracy;
        using (torch.no_grad())
        {
            using var scores = objective.Scores(features.to(device));
            using var predicted = scores is not null ? scores.argmax(1).cpu() : NearestCentre(backbone, trainImages, trainLabels, features, device);
            accuracy = predicted.eq(testLabels).to(float64).mean().item<double>();
        }

        var plotPath = Path.Combine(options.OutputDirectory, "features.png");
        if (options.FeatureDim == 2)
        {
            var labels = testLabels.to(int32).data<int>().ToArray();
            var datasetName = options.Dataset == DatasetKind.Mnist ? "MNIST" : "Fashion-MNIST";
            FeatureScatterPlot.Save(plotPath, features.data<float>().ToArray(), labels, train.ClassNames,
                $"{datasetName} test features, {options.Loss}, accuracy {accuracy:P2}");
        }

        var metricsPath = Path.Combine(options.OutputDirectory, "metrics.json");
        var metrics = new
        {
            dataset = options.Dataset.ToString(),
            loss = options.Loss,
            testAccuracy = accuracy,
            epochs = epochs.Select(e => new { e.Epoch, e.MeanLoss, e.TrainAccuracy, imagesPerSecond = e.SamplesPerSecond, seconds = e.Elapsed.TotalSeconds }),
            interrupted = trainer.Interrupted,
            trainImages = train.Count,
            testImages = test.Count,
            device = device.ToString(),
            threads = torch.get_num_threads(),
            wallSeconds = wall.Elapsed.TotalSeconds,
        };
        AtomicFile.WriteAllText(metricsPath, JsonSerializer.Serialize(metrics, JsonOptions));
        return new MnistExperimentResult(accuracy, epochs, plotPath, metricsPath, train.Count, test.Count);
    }

    /// <summary>P×K batches for triplet mining: all 10 classes per batch, batch/10 images each, as many batches as a shuffled epoch has.</summary>
    private static Func<int, IEnumerable<long[]>> PKBatches(MnistDataset train, MnistExperimentOptions options)
    {
        var k = Math.Max(2, options.BatchSize / MnistDataset.Classes);
        var sampler = new Mining.PKSampler(train.Labels.Select(l => (int)l).ToArray(), MnistDataset.Classes, k, options.Seed);
        var batchesPerEpoch = Math.Max(1, train.Count / sampler.BatchSize);
        return epoch => Enumerable.Range(0, batchesPerEpoch)
            .Select(b => sampler.Epoch((epoch - 1) * batchesPerEpoch + b).First().Select(i => (long)i).ToArray());
    }

    /// <summary>Predicts the class whose mean training embedding (of up to 10,000 training images) is nearest in Euclidean distance.</summary>
    private static Tensor NearestCentre(nn.Module<Tensor, Tensor> backbone, Tensor trainImages, Tensor trainLabels, Tensor testFeatures, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var count = Math.Min(10_000, trainImages.shape[0]);
        var trainFeatures = Embedder.Embed(backbone, trainImages.narrow(0, 0, count), device);
        var labels = trainLabels.narrow(0, 0, count);
        var centres = torch.stack(Enumerable.Range(0, MnistDataset.Classes).Select(c =>
        {
            var mask = labels.eq(c);
            return mask.any().item<bool>() ? trainFeatures[mask].mean([0]) : torch.full(trainFeatures.shape[1], float.PositiveInfinity);
        }));
        return torch.cdist(testFeatures, centres).argmin(1).MoveToOuterDisposeScope();
    }

    private static OptimizerHelper CreateOptimizer(MnistExperimentOptions options, nn.Module backbone, TrainingObjective objective)
    {
        var headLr = options.HeadLearningRate ?? options.LearningRate;
        switch (options.Optimizer.ToLowerInvariant())
        {
            case "adam":
                return optim.Adam([
                    new Adam.ParamGroup(backbone.parameters(), lr: options.LearningRate, weight_decay: options.WeightDecay),
                    new Adam.ParamGroup(objective.Parameters, lr: headLr, weight_decay: options.WeightDecay)]);
            case "sgd":
                return optim.SGD([
                    new SGD.ParamGroup(backbone.parameters(), lr: options.LearningRate, momentum: 0.9, weight_decay: options.WeightDecay),
                    new SGD.ParamGroup(objective.Parameters, lr: headLr, momentum: 0.9, weight_decay: options.WeightDecay)], options.LearningRate);
            default:
                throw new MarginFaceException($"--optimizer: expected adam or sgd, got '{options.Optimizer}'");
        }
    }

    private sealed class LoggingCallback(ITrainingCallback? inner, IProgress<string>? log) : ITrainingCallback
    {
        public void OnStep(TrainingProgress progress) => inner?.OnStep(progress);

        public void OnEpochEnd(EpochResult result)
        {
            log?.Report($"epoch {result.Epoch}: loss {result.MeanLoss:0.0000}, train accuracy {result.TrainAccuracy:P2}, {result.SamplesPerSecond:0} images/s");
            inner?.OnEpochEnd(result);
        }

        public void OnCheckpoint(string path) => inner?.OnCheckpoint(path);
    }
}
