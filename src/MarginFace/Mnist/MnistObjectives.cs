using MarginFace.Data;
using MarginFace.Losses;
using MarginFace.Models;
using MarginFace.Training;

namespace MarginFace.Mnist;

/// <summary>Builds the <see cref="TrainingObjective"/> for a loss name of the MNIST experiments.</summary>
public static class MnistObjectives
{
    /// <summary>Every loss name <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. MarginHeadFactory.Names, "focal", "center", "contrastive", "triplet"];

    /// <summary>Creates the objective; unknown names or parameters throw <see cref="MarginFaceException"/>.</summary>
    public static TrainingObjective Create(string loss, int featureDim, int classes, IReadOnlyDictionary<string, double> parameters, int marginWarmupEpochs = 0, int seed = 0,
        bool softmaxWarmup = false)
    {
        var name = loss.Trim().ToLowerInvariant();
        try
        {
            if (MarginHeadFactory.Names.Contains(name))
                return new HeadObjective(MarginHeadFactory.Create(name, featureDim, classes, parameters), marginWarmupEpochs: marginWarmupEpochs, softmaxWarmup: softmaxWarmup);
            var p = new LossParameters(name, parameters);
            switch (name)
            {
                case "focal":
                    var focal = new FocalLoss(p.Take("gamma", 2));
                    p.RejectRest();
                    return new HeadObjective(new SoftmaxHead(featureDim, classes), (logits, labels) => focal.forward(logits, labels));
                case "center":
                    var center = new CenterLossObjective(featureDim, classes, p.Take("lambda", 0.01), p.Take("alpha", 0.5));
                    p.RejectRest();
                    return center;
                case "contrastive":
                    var pairs = new PairObjective(p.Take("margin", 2), seed);
                    p.RejectRest();
                    return pairs;
                case "triplet":
                    var triplets = new TripletObjective(p.Take("margin", 0.2), (Mining.TripletMining)(int)p.Take("mining", (int)Mining.TripletMining.SemiHard));
                    p.RejectRest();
                    return triplets;
            }
        }
        catch (ArgumentException e)
        {
            throw new MarginFaceException($"--loss {name}: {e.Message.Split(" (Parameter")[0]}");
        }
        throw new MarginFaceException($"--loss: unknown loss '{loss}'; known: {string.Join(", ", Names)}");
    }

    private sealed class LossParameters(string loss, IReadOnlyDictionary<string, double> given)
    {
        private readonly Dictionary<string, double> left = given.ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value);

        public double Take(string name, double fallback) => left.Remove(name, out var value) ? value : fallback;

        public void RejectRest()
        {
            if (left.Count > 0)
                throw new ArgumentException($"unknown parameter '{left.Keys.First()}' for loss '{loss}'");
        }
    }
}
