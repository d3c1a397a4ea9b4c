using MarginFace.Cli;
using MarginFace.Training;

namespace MarginFace.Tests.Cli;

/// <summary>The library's errors name <see cref="FaceTrainingOptions"/> properties; the command line names its options.</summary>
public class OptionNamesTests
{
    [Theory]
    [InlineData("FaceTrainingOptions.LearningRate: expected a positive number, got -1", "--lr: expected a positive number, got -1")]
    [InlineData("FaceTrainingOptions.Loss = arcfaec: unknown loss 'arcfaec'", "--loss arcfaec: unknown loss 'arcfaec'")]
    [InlineData("FaceTrainingOptions.PartialFc: no logits-from-cosine step (FaceTrainingOptions.Loss = softmax)", "--partial-fc: no logits-from-cosine step (--loss softmax)")]
    [InlineData("FaceTrainingOptions.BatchSize: 48 disagrees with FaceTrainingOptions.Pk = 4,4", "--batch: 48 disagrees with --pk 4,4")]
    [InlineData("FaceTrainingOptions.CentreShards: kept", "FaceTrainingOptions.CentreShards: kept")]
    [InlineData("faces: no identities", "faces: no identities")]
    public void TrainingPropertiesBecomeTrainOptions(string library, string commandLine) =>
        Assert.Equal(commandLine, OptionNames.ForCommandLine(new MarginFaceException(library)));

    [Fact]
    public void ADivergedRunPointsAtTheLearningRateOption() =>
        Assert.EndsWith("try a lower learning rate (--lr)", OptionNames.ForCommandLine(new TrainingDivergedException(2, 7, double.NaN)));
}
