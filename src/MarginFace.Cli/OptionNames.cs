using System.Text.RegularExpressions;
using MarginFace.Runtime;
using MarginFace.Training;

namespace MarginFace.Cli;

/// <summary>
/// The library's errors name <see cref="FaceTrainingOptions"/> properties (<c>FaceTrainingOptions.LearningRate: expected a
/// positive number, got -1</c>; <c>FaceTrainingOptions.Loss = arcfaec: ...</c>); on the command line they name train's
/// options instead (<c>--lr: ...</c>, <c>--loss arcfaec: ...</c>). Properties without an option are left as they are. The
/// library's hint to name a models folder with its environment variable becomes the global <c>--models DIR</c>.
/// </summary>
internal static partial class OptionNames
{
    private static readonly Dictionary<string, string> TrainOptions = new(StringComparer.Ordinal)
    {
        [nameof(FaceTrainingOptions.Data)] = "--data",
        [nameof(FaceTrainingOptions.Backbone)] = "--backbone",
        [nameof(FaceTrainingOptions.Loss)] = "--loss",
        [nameof(FaceTrainingOptions.Embedding)] = "--embedding",
        [nameof(FaceTrainingOptions.Crop)] = "--crop",
        [nameof(FaceTrainingOptions.Epochs)] = "--epochs",
        [nameof(FaceTrainingOptions.BatchSize)] = "--batch",
        [nameof(FaceTrainingOptions.Optimizer)] = "--optimizer",
        [nameof(FaceTrainingOptions.LearningRate)] = "--lr",
        [nameof(FaceTrainingOptions.HeadLearningRate)] = "--head-lr",
        [nameof(FaceTrainingOptions.Schedule)] = "--schedule",
        [nameof(FaceTrainingOptions.WarmupSteps)] = "--warmup-steps",
        [nameof(FaceTrainingOptions.WeightDecay)] = "--weight-decay",
        [nameof(FaceTrainingOptions.GradientClipNorm)] = "--clip-grad",
        [nameof(FaceTrainingOptions.FocalGamma)] = "--focal-gamma",
        [nameof(FaceTrainingOptions.PartialFc)] = "--partial-fc",
        [nameof(FaceTrainingOptions.LossParameters)] = "--param",
        [nameof(FaceTrainingOptions.MarginWarmupEpochs)] = "--margin-warmup",
        [nameof(FaceTrainingOptions.Seed)] = "--seed",
        [nameof(FaceTrainingOptions.Workers)] = "--workers",
        [nameof(FaceTrainingOptions.CacheCrops)] = "--cache-crops",
        [nameof(FaceTrainingOptions.MinImages)] = "--min-images",
        [nameof(FaceTrainingOptions.IncludeIdentities)] = "--include-identities",
        [nameof(FaceTrainingOptions.ExcludeIdentities)] = "--exclude-identities",
        [nameof(FaceTrainingOptions.RandomCropFrom)] = "--random-crop",
        [nameof(FaceTrainingOptions.Brightness)] = "--brightness",
        [nameof(FaceTrainingOptions.Contrast)] = "--contrast",
        [nameof(FaceTrainingOptions.RandomErase)] = "--random-erase",
        [nameof(FaceTrainingOptions.Dropout)] = "--dropout",
        [nameof(FaceTrainingOptions.SaveEverySteps)] = "--save-every",
        [nameof(FaceTrainingOptions.ValidationPairs)] = "--val-pairs",
        [nameof(FaceTrainingOptions.ValidationImages)] = "--val-images",
        [nameof(FaceTrainingOptions.ValidationBins)] = "--val",
        [nameof(FaceTrainingOptions.Init)] = "--init",
        [nameof(FaceTrainingOptions.Pk)] = "--pk",
        [nameof(FaceTrainingOptions.Precision)] = "--precision",
    };

    /// <summary>The error message as the command line says it.</summary>
    public static string ForCommandLine(MarginFaceException error)
    {
        var message = TrainingProperty().Replace(error.Message, m =>
            TrainOptions.TryGetValue(m.Groups["property"].Value, out var option) ? option + (m.Groups["value"].Success ? " " : "") : m.Value);
        message = message.Replace(ModelsFolder.NameItHint,
            $"pass {CommandLineHost.ModelsOption} DIR (or set {ModelsFolder.EnvironmentVariable}) naming a folder holding them", StringComparison.Ordinal);
        message = message.Replace("from a machine where it was fetched", "from a machine where `marginface models fetch` filled it", StringComparison.Ordinal);
        return error is TrainingDivergedException ? $"{message} (--lr)" : message;
    }

    [GeneratedRegex(@"FaceTrainingOptions\.(?<property>\w+)(?<value> = )?")]
    private static partial Regex TrainingProperty();
}
