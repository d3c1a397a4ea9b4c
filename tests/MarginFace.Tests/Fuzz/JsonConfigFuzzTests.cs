using MarginFace.Mnist;
using MarginFace.Runtime;
using MarginFace.Training;

namespace MarginFace.Tests.Fuzz;

/// <summary>Mutated settings files are read or refused with a one-line <see cref="MarginFaceException"/>, nothing else.</summary>
public class JsonConfigFuzzTests
{
    private const string TrainingSeed = """
        {
          // a face run
          "data": "faces/train",
          "backbone": "mobilefacenet",
          "loss": "arcface",
          "embedding": 128,
          "epochs": 3,
          "batchSize": 64,
          "learningRate": 0.1,
          "schedule": "cosine",
          "lossParameters": { "s": 64, "m": 0.5 },
          "flip": true,
          "pk": null,
        }
        """;

    private const string MnistSeed = """
        { "network": "lenetpp", "featureDim": 2, "epochs": 2, "batchSize": 128, "learningRate": 0.01, "loss": "softmax" }
        """;

    [Fact]
    public void TheSeedsAreValid()
    {
        Assert.Equal(3, JsonConfig.Parse<FaceTrainingOptions>(TrainingSeed, "seed.json").Epochs);
        Assert.Equal(2, JsonConfig.Parse<MnistExperimentOptions>(MnistSeed, "seed.json").Epochs);
    }

    [Fact]
    public void MutatedTrainingSettingsAreReadOrRefusedInOneLine() =>
        TextFuzz.Run(TrainingSeed, iterations: 1500, rngSeed: 44, text => JsonConfig.Parse<FaceTrainingOptions>(text, "fuzz.json"));

    [Fact]
    public void MutatedMnistSettingsAreReadOrRefusedInOneLine() =>
        TextFuzz.Run(MnistSeed, iterations: 800, rngSeed: 45, text => JsonConfig.Parse<MnistExperimentOptions>(text, "fuzz.json"));

    [Fact]
    public void AFileLargerThanTheBudgetIsRefusedUnread()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mf-big-config-{Guid.NewGuid():N}.json");
        try
        {
            using (var stream = File.Create(path)) stream.SetLength(JsonConfig.MaxFileBytes + 1);
            var error = Assert.Throws<MarginFaceException>(() => JsonConfig.Read<FaceTrainingOptions>(path));
            Assert.StartsWith($"{path}: ", error.Message);
            Assert.Contains("too large", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
