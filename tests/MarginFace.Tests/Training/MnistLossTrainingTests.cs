using MarginFace.Tests.Data;
using MarginFace.Training;
using TorchSharp;

namespace MarginFace.Tests.Training;

public class MnistLossTrainingTests : TorchTest
{
    public static TheoryData<string> Losses => new(MnistObjectives.Names);

    [Theory]
    [MemberData(nameof(Losses))]
    public void EveryLossTrainsOnASubsetFarAboveChance(string loss)
    {
        using var output = new TempDirectory();
        var options = new MnistExperimentOptions
        {
            Loss = loss,
            DataDirectory = RealMnist.DataDirectory,
            OutputDirectory = output.Path,
            TrainLimit = 2000,
            TestLimit = 500,
            Epochs = 3,
            BatchSize = 32,
            LearningRate = 3e-3,
            Seed = 1,
        };

        var result = MnistExperiment.Run(options, torch.CPU);

        Assert.True(result.TestAccuracy > 0.35, $"{loss}: test accuracy {result.TestAccuracy:P1} after {result.Epochs.Count * 63} steps should be far above chance (10%)");
    }
}
