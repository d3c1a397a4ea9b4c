using System.Diagnostics;
using System.Text.Json;
using TorchSharp.Modules;
using TorchSharp;
using MarginFace.Data;
using MarginFace.Evaluation;
using MarginFace.Losses;
using MarginFace.Runtime;
using MarginFace.Training;
using MarginFace.Visualization;
using static TorchSharp.torch;

namespace MarginFace.Mnist;

/// <summary>
/// The classic feature experiment: train a small CNN with a low-dimensional feature layer on MNIST (or Fashion-MNIST)
/// with one loss, report test accuracy and feature geometry, and draw the test features coloured by class.
/// Writes <c>config.json</c>, <c>model.bin</c> (checkpoint after every epoch), <c>metrics.json</c>, <c>curves.png</c>,
/// <c>features.png</c> (2-D), <c>features-normalized.png</c> (2-D, angular losses), <c>sphere.png</c> (3-D) and,
/// with animation, <c>features.gif</c>.
/// </summary>
internal static class MnistExperiment
{
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Runs the experiment. With <paramref name="resume"/>, continues from the checkpoint in the output directory.</summary>
    public static MnistExperimentResult Run(MnistExperimentOptions options, Device device, ITrainingCallback? callback = null,
        IProgress<string>? log = null, bool resume = false, CancellationToken cancellation = default)
    {
        options.Validate();
        options = MnistRecipes.Resolve(options);
        options.Validate();
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
        var testLabelArray = test.Labels.Select(l => (int)l).ToArray();

        using var backbone = FeatureNetworkFactory.Create(options.Network, options.FeatureDim, options.FeatureBatchNorm!.Value);
        using var objective = LossRegistry.Create(options.Loss, options.FeatureDim, MnistDataset.Classes, options.LossSettings);
        backbone.to(device);
        foreach (var module in objective.Modules) module.to(device);
        using var optimizer = CreateOptimizer(options, backbone, objective);
        using var precision = CreateMixedPrecision(options, backbone, device);

        Directory.CreateDirectory(options.OutputDirectory);
        var configJson = JsonSerializer.Serialize(options with { OutputDirectory = "", DataDirectory = null }, JsonOptions);
        var checkpointPath = Path.Combine(options.OutputDirectory, "model.bin");
        var trainer = new Trainer(backbone, objective, optimizer, device, new TrainerOptions
        {
            Epochs = options.Epochs,
            LearningRate = new LearningRatePlan { Schedule = options.Schedule!.Value },
            Seed = options.Seed,
            GradientClipNorm = options.GradientClipNorm is > 0 and double clip ? clip : null,
            CheckpointPath = checkpointPath,
            Fingerprint = configJson,
        }, precision: precision);
        var source = new TensorBatchSource(trainImages, trainLabels, options.BatchSize, options.Seed,
            options.Shift is > 0 and int shift ? new RandomShift(shift, Background(options.Dataset)) : null,
            objective is TripletObjective ? PKBatches(train, options) : null);
        if (resume)
        {
            trainer.Resume(checkpointPath);
            log?.Report($"resuming from {checkpointPath} after {trainer.History.Count} finished epoch(s)");
        }
        AtomicFile.WriteAllText(Path.Combine(options.OutputDirectory, "config.json"), configJson);

        var evaluator = new Evaluator(backbone, objective, device, trainImages, trainLabels, testImages, testLabelArray);
        var testAccuracy = new Dictionary<int, double>();
        var frames = new List<string>();
        var frameDirectory = Path.Combine(options.OutputDirectory, "frames");
        var epochCallback = new EpochEndCallback(callback, result =>
        {
            var evaluation = evaluator.Evaluate();
            testAccuracy[result.Epoch] = evaluation.Accuracy;
            log?.Report($"epoch {result.Epoch}: loss {result.MeanLoss:0.0000}, train accuracy {(double.IsNaN(result.TrainAccuracy) ? "-" : result.TrainAccuracy.ToString("P2"))}, test accuracy {evaluation.Accuracy:P2}, {result.SamplesPerSecond:0} images/s");
            if (options.Animate && options.FeatureDim == 2)
            {
                var frame = Path.Combine(frameDirectory, $"epoch-{result.Epoch:000}.png");
                FeatureScatterPlot.Save(frame, evaluation.Features, testLabelArray, train.ClassNames,
                    $"{options.Loss}, epoch {result.Epoch}, accuracy {evaluation.Accuracy:P2}");
                frames.Add(frame);
            }
        });
        var epochs = trainer.Fit(source, epochCallback, cancellation);

        var final = evaluator.Evaluate();
        var datasetName = MnistDataset.DisplayName(options.Dataset);
        var title = $"{datasetName}, {options.Loss}: test accuracy {final.Accuracy:P2}";
        var featurePlot = "";
        string? normalizedPlot = null;
        if (options.FeatureDim == 2)
        {
            featurePlot = Path.Combine(options.OutputDirectory, "features.png");
            FeatureScatterPlot.Save(featurePlot, final.Features, testLabelArray, train.ClassNames, title);
            if (objective is HeadObjective { Head: not SoftmaxHead } angular)
            {
                normalizedPlot = Path.Combine(options.OutputDirectory, "features-normalized.png");
                var weights = angular.Head.Weight.shape[0] == MnistDataset.Classes ? angular.Head.Weight.detach().cpu().to(float32).data<float>().ToArray() : null;
                NormalizedFeaturePlot.Save(normalizedPlot, final.Features, testLabelArray, train.ClassNames, weights, title + " (normalised)");
            }
        }
        else if (options.FeatureDim == 3)
        {
            featurePlot = Path.Combine(options.OutputDirectory, "sphere.png");
            SphereFeaturePlot.Save(featurePlot, final.Features, testLabelArray, train.ClassNames, title);
        }
        if (epochs.Count > 0)
            TrainingCurvesPlot.Save(Path.Combine(options.OutputDirectory, "curves.png"), epochs.Select(e => e.MeanLoss).ToList(),
                epochs.Select(e => e.TrainAccuracy).ToList(), epochs.Select(e => testAccuracy.GetValueOrDefault(e.Epoch, double.NaN)).ToList(),
                $"{datasetName}, {options.Loss}");
        if (frames.Count > 0)
        {
            GifAnimation.Save(Path.Combine(options.OutputDirectory, "features.gif"), frames, delayMilliseconds: 700, lastFrameDelayMilliseconds: 2500);
            Directory.Delete(frameDirectory, recursive: true);
        }

        var perClass = FeatureGeometry.PerClassAccuracy(final.Predicted, testLabelArray, MnistDataset.Classes);
        var intra = FeatureGeometry.MeanIntraClassAngle(final.Features, testLabelArray, MnistDataset.Classes);
        var inter = FeatureGeometry.MinInterClassAngle(final.Features, testLabelArray, MnistDataset.Classes);
        var metricsPath = Path.Combine(options.OutputDirectory, "metrics.json");
        var last = epochs.Count > 0 ? epochs[^1] : null;
        var metrics = new
        {
            dataset = datasetName,
            loss = options.Loss,
            network = options.Network,
            featureDim = options.FeatureDim,
            testAccuracy = final.Accuracy,
            perClassAccuracy = perClass,
            meanIntraClassAngleDegrees = intra,
            minInterClassAngleDegrees = inter,
            epochsCompleted = epochs.Count,
            epochs = EpochMetrics.Rows(epochs, "testAccuracy", testAccuracy),
            imagesPerSecond = last?.SamplesPerSecond,
            interrupted = trainer.Interrupted,
            trainImages = train.Count,
            testImages = test.Count,
            device = device.ToString(),
            precision = options.Precision.ToString().ToLowerInvariant(),
            skippedSteps = precision?.SkippedSteps ?? 0,
            threads = torch.get_num_threads(),
            wallSeconds = wall.Elapsed.TotalSeconds,
        };
        AtomicFile.WriteAllText(metricsPath, JsonSerializer.Serialize(metrics, new JsonSerializerOptions(JsonOptions) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        return new MnistExperimentResult(final.Accuracy, perClass, intra, inter, epochs, wall.Elapsed.TotalSeconds, featurePlot, normalizedPlot,
            metricsPath, train.Count, test.Count, trainer.Interrupted);
    }

    /// <summary>P×K batches for triplet mining: all 10 classes per batch, batch/10 images each, as many batches as a shuffled epoch has.</summary>
    /// <summary>An empty (zero) pixel after <see cref="MnistDataset.ToTensors"/>'s normalisation.</summary>
    private static double Background(DatasetKind kind)
    {
        var (mean, std) = MnistDataset.NormalizationFor(kind);
        return -mean / (double)std;
    }

    /// <summary>P×K batches of <see cref="Losses.Mining.PkBatchPlan"/>: all ten digits per batch, K = max(2, batch / 10) images of each.</summary>
    private static Func<int, IEnumerable<long[]>> PKBatches(MnistDataset train, MnistExperimentOptions options)
    {
        var plan = new Losses.Mining.PkBatchPlan(MnistDataset.Classes, Math.Max(2, options.BatchSize / MnistDataset.Classes));
        var labels = train.Labels.Select(l => (int)l).ToArray();
        return epoch => plan.Order(labels, MnistDataset.Classes, options.Seed, epoch, "MNIST").Chunk(plan.BatchSize)
            .Select(batch => batch.Select(i => (long)i).ToArray());
    }

    /// <summary>
    /// The bf16/fp16 working copy of <paramref name="backbone"/> for <see cref="MnistExperimentOptions.Precision"/>; null for fp32.
    /// Test accuracy is measured on the float32 master, the network <c>model.bin</c> holds.
    /// </summary>
    private static MixedPrecision? CreateMixedPrecision(MnistExperimentOptions options, nn.Module<Tensor, Tensor> backbone, Device device)
    {
        if (options.Precision == TrainingPrecision.Fp32) return null;
        try
        {
            return new MixedPrecision(backbone, () => FeatureNetworkFactory.Create(options.Network, options.FeatureDim, options.FeatureBatchNorm!.Value),
                options.Precision, device);
        }
        catch (ArgumentException e)
        {
            throw new MarginFaceException($"--precision {options.Precision.ToString().ToLowerInvariant()}: network {options.Network}'s {e.Message.Split(" (Parameter")[0]}");
        }
    }

    private static OptimizerHelper CreateOptimizer(MnistExperimentOptions options, nn.Module backbone, TrainingObjective objective)
    {
        var lr = options.LearningRate!.Value;
        var weightDecay = options.WeightDecay!.Value;
        var headLr = options.HeadLearningRate ?? lr;
        var headParameters = objective.Parameters.ToList();
        switch (options.Optimizer!.ToLowerInvariant())
        {
            case "adam":
                return optim.Adam([
                    new Adam.ParamGroup(backbone.parameters(), lr: lr, weight_decay: weightDecay),
                    .. headParameters.Count > 0 ? [new Adam.ParamGroup(headParameters, lr: headLr, weight_decay: weightDecay)] : Array.Empty<Adam.ParamGroup>()]);
            case "sgd":
                return new FlatSgd([
                    new SGD.ParamGroup(backbone.parameters(), lr: lr, momentum: 0.9, weight_decay: weightDecay),
                    .. headParameters.Count > 0 ? [new SGD.ParamGroup(headParameters, lr: headLr, momentum: 0.9, weight_decay: weightDecay)] : Array.Empty<SGD.ParamGroup>()],
                    lr);
            default:
                throw new MarginFaceException($"--optimizer: expected adam or sgd, got '{options.Optimizer}'");
        }
    }

    /// <summary>Test-set features and predictions: argmax of the objective's scores, else the nearest class centre of training features.</summary>
    private sealed class Evaluator(nn.Module<Tensor, Tensor> backbone, TrainingObjective objective, Device device,
        Tensor trainImages, Tensor trainLabels, Tensor testImages, int[] testLabels)
    {
        public (float[] Features, int[] Predicted, double Accuracy) Evaluate()
        {
            objective.Train(false);
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var features = Embedder.Embed(backbone, testImages, device);
            var featureArray = features.to(float32).data<float>().ToArray();
            int[] predicted;
            var scores = objective.Scores(features.to(device));
            if (scores is not null)
            {
                predicted = scores.argmax(1).to(int32).cpu().data<int>().ToArray();
            }
            else
            {
                var count = (int)Math.Min(10_000, trainImages.shape[0]);
                var trainFeatures = Embedder.Embed(backbone, trainImages.narrow(0, 0, count), device).to(float32).data<float>().ToArray();
                var labels = trainLabels.narrow(0, 0, count).to(int32).data<int>().ToArray();
                predicted = FeatureGeometry.NearestCentre(trainFeatures, labels, featureArray, MnistDataset.Classes, CentreMetric.Euclidean);
            }
            return (featureArray, predicted, FeatureGeometry.Accuracy(predicted, testLabels));
        }
    }
}
