using System.Diagnostics;
using System.Text.Json;
using MarginFace.Data;
using MarginFace.Evaluation;
using MarginFace.Losses;
using MarginFace.Models;
using MarginFace.Runtime;
using MarginFace.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// The classic 2-D feature experiment: train <see cref="ClsNet"/> with a classification head on MNIST (or Fashion-MNIST),
/// report test accuracy, and draw the test features coloured by class.
/// </summary>
public static class MnistExperiment
{
    /// <summary>Runs the experiment. <paramref name="onStep"/> sees every training step; <paramref name="log"/> gets coarse messages.</summary>
    public static MnistExperimentResult Run(MnistExperimentOptions options, Device device,
        Action<TrainingProgress>? onStep = null, IProgress<string>? log = null, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Epochs, 1, nameof(options.Epochs));
        var wall = Stopwatch.StartNew();
        var directory = new DatasetCache().EnsureAvailable(options.Dataset, options.DataDirectory, log);
        var train = MnistDataset.Load(directory, options.Dataset, DatasetSplit.Train);
        var test = MnistDataset.Load(directory, options.Dataset, DatasetSplit.Test);
        if (options.TrainLimit is int trainLimit && trainLimit < train.Count) train = train.Take(trainLimit);
        if (options.TestLimit is int testLimit && testLimit < test.Count) test = test.Take(testLimit);
        log?.Report($"data: {train.Count} training and {test.Count} test images from {directory}");

        torch.manual_seed(options.Seed);
        using var generator = new Generator((ulong)options.Seed);
        var (trainImages, trainLabels) = train.ToTensors();
        var (testImages, testLabels) = test.ToTensors();
        using var disposeTrainImages = trainImages;
        using var disposeTrainLabels = trainLabels;
        using var disposeTestImages = testImages;
        using var disposeTestLabels = testLabels;

        using var backbone = new ClsNet(options.FeatureDim);
        using var head = new SoftmaxHead(options.FeatureDim, MnistDataset.Classes);
        backbone.to(device);
        head.to(device);
        var parameters = backbone.parameters().Concat(head.parameters());
        using var optimizer = optim.Adam(parameters, lr: options.LearningRate);
        var trainer = new ClassificationTrainer(backbone, head, optimizer, device);

        var epochs = new List<EpochResult>();
        for (int epoch = 1; epoch <= options.Epochs && !cancellation.IsCancellationRequested; epoch++)
        {
            var result = trainer.TrainEpoch(trainImages, trainLabels, options.BatchSize, epoch, options.Epochs, generator, onStep, cancellation);
            epochs.Add(result);
            log?.Report($"epoch {epoch}/{options.Epochs}: loss {result.MeanLoss:0.0000}, train accuracy {result.TrainAccuracy:P2}, {result.SamplesPerSecond:0} images/s");
        }

        using var features = Embedder.Embed(backbone, testImages, device);
        using var logits = head.forward(features.to(device), testLabels.to(device));
        using var predicted = logits.argmax(1).cpu();
        var accuracy = predicted.eq(testLabels).to(float64).mean().item<double>();

        Directory.CreateDirectory(options.OutputDirectory);
        var plotPath = Path.Combine(options.OutputDirectory, "features.png");
        if (options.FeatureDim == 2)
        {
            var labels = testLabels.to(int32).data<int>().ToArray();
            FeatureScatterPlot.Save(plotPath, features.data<float>().ToArray(), labels, train.ClassNames,
                $"{(options.Dataset == DatasetKind.Mnist ? "MNIST" : "Fashion-MNIST")} test features, softmax, accuracy {accuracy:P2}");
        }

        var metricsPath = Path.Combine(options.OutputDirectory, "metrics.json");
        var metrics = new
        {
            dataset = options.Dataset.ToString(),
            loss = "softmax",
            testAccuracy = accuracy,
            epochs = epochs.Select(e => new { e.Epoch, e.MeanLoss, e.TrainAccuracy, imagesPerSecond = e.SamplesPerSecond, seconds = e.Elapsed.TotalSeconds }),
            trainImages = train.Count,
            testImages = test.Count,
            device = device.ToString(),
            threads = torch.get_num_threads(),
            wallSeconds = wall.Elapsed.TotalSeconds,
        };
        AtomicFile.WriteAllText(metricsPath, JsonSerializer.Serialize(metrics, new JsonSerializerOptions { WriteIndented = true }));
        return new MnistExperimentResult(accuracy, epochs, plotPath, metricsPath, train.Count, test.Count);
    }
}
