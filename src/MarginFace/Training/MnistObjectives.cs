using MarginFace.Losses;

namespace MarginFace.Training;

/// <summary>Builds the <see cref="TrainingObjective"/> for a loss name of the MNIST experiments.</summary>
public static class MnistObjectives
{
    /// <summary>Every loss name <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names => MarginHeadFactory.Names;

    /// <summary>Creates the objective; unknown names or parameters throw <see cref="MarginFaceException"/>.</summary>
    public static TrainingObjective Create(string loss, int featureDim, int classes, IReadOnlyDictionary<string, double> parameters, int marginWarmupEpochs = 0)
    {
        var name = loss.Trim().ToLowerInvariant();
        try
        {
            if (MarginHeadFactory.Names.Contains(name))
                return new HeadObjective(MarginHeadFactory.Create(name, featureDim, classes, parameters), marginWarmupEpochs: marginWarmupEpochs);
        }
        catch (ArgumentException e)
        {
            throw new MarginFaceException($"--loss {name}: {e.Message.Split(" (Parameter")[0]}");
        }
        throw new MarginFaceException($"--loss: unknown loss '{loss}'; known: {string.Join(", ", Names)}");
    }
}
