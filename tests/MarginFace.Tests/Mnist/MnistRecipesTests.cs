using MarginFace.Mnist;
using MarginFace.Training;

namespace MarginFace.Tests.Mnist;

public class MnistRecipesTests
{
    [Theory]
    [InlineData("softmax", "sgd")]
    [InlineData("center", "sgd")]
    [InlineData("sphereface", "sgd")]
    [InlineData("arcface", "sgd")]
    [InlineData("normface", "sgd")]
    [InlineData("triplet", "adam")]
    [InlineData("contrastive", "adam")]
    public void PairAndTripletLossesTrainWithAdamAndTheOthersWithSgd(string loss, string optimizer)
    {
        var resolved = MnistRecipes.Resolve(new MnistExperimentOptions { Loss = loss });
        Assert.Equal(optimizer, resolved.Optimizer);
        Assert.NotNull(resolved.LearningRate);
        Assert.NotNull(resolved.WeightDecay);
        Assert.Equal(LearningRateSchedule.Cosine, resolved.Schedule);
        Assert.NotNull(resolved.FeatureBatchNorm);
        Assert.NotNull(resolved.Shift);
        Assert.NotNull(resolved.MarginWarmupEpochs);
    }

    [Fact]
    public void WhatTheUserSetsWinsOverTheRecipe()
    {
        var resolved = MnistRecipes.Resolve(new MnistExperimentOptions
        {
            Loss = "arcface", Optimizer = "sgd", LearningRate = 0.2, WeightDecay = 0, Schedule = LearningRateSchedule.Step,
            FeatureBatchNorm = true, Shift = 3, MarginWarmupEpochs = 0, LossParameters = new() { ["m"] = 0.1 },
        });
        Assert.Equal("sgd", resolved.Optimizer);
        Assert.Equal(0.2, resolved.LearningRate);
        Assert.Equal(0, resolved.WeightDecay);
        Assert.Equal(LearningRateSchedule.Step, resolved.Schedule);
        Assert.True(resolved.FeatureBatchNorm);
        Assert.Equal(3, resolved.Shift);
        Assert.Equal(0, resolved.MarginWarmupEpochs);
        Assert.Equal(0.1, resolved.LossParameters["m"]);
        Assert.Equal(16, resolved.LossParameters["s"]);
    }

    [Theory]
    [InlineData(64, 10, null)]
    [InlineData(2, 1, null)]
    [InlineData(2, 10, false)]
    public void NormalisedHeadsWithoutASoftmaxWarmupTrainWithAdam(int dim, int epochs, bool? softmaxWarmup)
    {
        var resolved = MnistRecipes.Resolve(new MnistExperimentOptions
        {
            Loss = "cosface", FeatureDim = dim, Epochs = epochs, SoftmaxWarmup = softmaxWarmup,
        });
        Assert.Equal("adam", resolved.Optimizer);
        Assert.Equal(1e-3, resolved.LearningRate);
    }

    [Fact]
    public void NormalisedHeadsTrainWithoutTheShift()
    {
        var resolved = MnistRecipes.Resolve(new MnistExperimentOptions { Loss = "arcface" });
        Assert.Equal(0, resolved.Shift);
        Assert.Equal(1, resolved.MarginWarmupEpochs);
        Assert.True(resolved.SoftmaxWarmup);
    }

    [Theory]
    [InlineData("softmax", "sgd 0.05, wd 0.0005, clip 5, shift 2")]
    [InlineData("arcface", "sgd 0.05, wd 0.0005, clip 5, softmax warm-up")]
    [InlineData("triplet", "adam 0.001")]
    public void DescribeNamesTheResolvedTrainingSettings(string loss, string expected) =>
        Assert.Equal(expected, MnistRecipes.Describe(new MnistExperimentOptions { Loss = loss }));

    [Fact]
    public void SubCentreArcFaceUsesTwoSubCentresPerClassInTwoDimensions()
    {
        Assert.Equal(2, MnistRecipes.Resolve(new MnistExperimentOptions { Loss = "subcenter" }).LossParameters["k"]);
        Assert.Equal(3, MnistRecipes.Resolve(new MnistExperimentOptions { Loss = "subcenter", LossParameters = new() { ["k"] = 3 } }).LossParameters["k"]);
    }

    [Fact]
    public void CentreLossUsesLambdaPointOneInTwoDimensionsWithoutAMarginWarmup()
    {
        var resolved = MnistRecipes.Resolve(new MnistExperimentOptions { Loss = "center" });
        Assert.Equal(0.1, resolved.LossParameters["lambda"]);
        Assert.Equal(0, resolved.MarginWarmupEpochs);
        Assert.Equal("sgd", resolved.Optimizer);
    }

    [Fact]
    public void ClipZeroFromTheUserTurnsTheRecipesClippingOff()
    {
        var options = new MnistExperimentOptions { Loss = "softmax", GradientClipNorm = 0 };
        Assert.Equal(0, MnistRecipes.Resolve(options).GradientClipNorm);
        Assert.Equal("sgd 0.05, wd 0.0005, shift 2", MnistRecipes.Describe(options));
    }

    [Fact]
    public void HighDimensionalFeaturesKeepThePaperParameters()
    {
        var resolved = MnistRecipes.Resolve(new MnistExperimentOptions { Loss = "arcface", FeatureDim = 64 });
        Assert.Empty(resolved.LossParameters);
        Assert.Equal(0, resolved.MarginWarmupEpochs);
    }
}
