using MarginFace.Data;
using MarginFace.Mnist;
using MarginFace.Models;
using MarginFace.Tests.Data;
using MarginFace.Training;
using TorchSharp;

namespace MarginFace.Tests.Mnist;

[Collection(SequentialTorchCollection.Name)]
public class MnistLossTrainingTests : TorchTest
{
    public static TheoryData<string> Losses => new(LossRegistry.Names);

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
            TrainLimit = 4000,
            TestLimit = 500,
            Epochs = 3,
            BatchSize = 32,
            Seed = 1,
        };

        var result = MnistExperiment.Run(options, torch.CPU);

        Console.WriteLine($"{loss}: {result.TestAccuracy:P1}");
        Assert.True(result.TestAccuracy > 0.2, $"{loss}: test accuracy {result.TestAccuracy:P1} after {result.Epochs.Count * 125} steps should be at least twice chance (10%)");
    }
}
