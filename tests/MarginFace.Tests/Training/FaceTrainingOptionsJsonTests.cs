using MarginFace.Data;
using MarginFace.Losses.Mining;
using MarginFace.Runtime;
using MarginFace.Training;

namespace MarginFace.Tests.Training;

/// <summary>The typed settings of a training run (crop, P×K plan, optimiser) read from and written to settings files as the text users write.</summary>
public class FaceTrainingOptionsJsonTests
{
    [Fact]
    public void CropPkAndOptimizerReadAsTypedValuesAndWriteBackAsTheirText()
    {
        var options = JsonConfig.Parse<FaceTrainingOptions>("""{ "Crop": "center:150", "Pk": "8,4", "Optimizer": "adam", "Loss": "triplet" }""", "run.json");

        Assert.IsType<CenterFaceCrop>(options.Crop);
        Assert.Equal("center:150", options.Crop.ToString());
        Assert.Equal(new PkBatchPlan(8, 4), options.Pk);
        Assert.Equal(32, options.EffectiveBatchSize);
        Assert.Equal(TrainingOptimizer.Adam, options.Optimizer);
        var written = System.Text.Json.JsonSerializer.Serialize(options);
        Assert.Contains("\"Crop\":\"center:150\"", written);
        Assert.Contains("\"Pk\":\"8,4\"", written);
        Assert.Contains("\"Optimizer\":\"adam\"", written);
    }

    [Fact]
    public void PrecisionReadsAndWritesAsTheCommandLineSaysItAndFp32IsLeftOutOfTheFingerprint()
    {
        var options = JsonConfig.Parse<FaceTrainingOptions>("""{ "Precision": "bf16" }""", "run.json");
        Assert.Equal(TrainingPrecision.Bf16, options.Precision);
        Assert.Contains("\"Precision\":\"bf16\"", System.Text.Json.JsonSerializer.Serialize(options));
        Assert.Contains("\"Precision\": \"fp16\"", FaceTraining.Fingerprint(options with { Precision = TrainingPrecision.Fp16 }));
        Assert.DoesNotContain("Precision", FaceTraining.Fingerprint(options with { Precision = TrainingPrecision.Fp32 }));
        Assert.StartsWith("run.json: ", Assert.Throws<MarginFaceException>(() => JsonConfig.Parse<FaceTrainingOptions>("""{ "Precision": "fp8" }""", "run.json")).Message);
    }

    [Fact]
    public void DefaultsAreTheWholeImageSgdAndNoPkPlan()
    {
        var options = JsonConfig.Parse<FaceTrainingOptions>("{}", "run.json");
        Assert.Same(FaceCrop.None, options.Crop);
        Assert.Equal(TrainingOptimizer.Sgd, options.Optimizer);
        Assert.Null(options.Pk);
    }

    [Theory]
    [InlineData("""{ "Crop": "middle" }""", "run.json: crop 'middle': expected 'none', 'center:SIZE'")]
    [InlineData("""{ "Pk": "16" }""", "run.json: P×K plan '16': expected P,K")]
    [InlineData("""{ "Optimizer": "lbfgs" }""", "run.json: ")]
    [InlineData("""{ "Crop": 112 }""", "run.json: ")]
    public void AValueThatDoesNotParseIsOneLineNamingTheFile(string json, string start)
    {
        var message = Assert.Throws<MarginFaceException>(() => JsonConfig.Parse<FaceTrainingOptions>(json, "run.json")).Message;
        Assert.StartsWith(start, message);
        Assert.DoesNotContain('\n', message);
    }
}
