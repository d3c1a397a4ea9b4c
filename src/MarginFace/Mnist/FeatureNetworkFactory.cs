using MarginFace.Models;
using static TorchSharp.torch;

namespace MarginFace.Mnist;

/// <summary>Creates a feature network (backbone) by name, for command-line selection.</summary>
internal static class FeatureNetworkFactory
{
    /// <summary>The names <see cref="Create"/> accepts: <c>clsnet</c> (<see cref="ClsNet"/>) and <c>lenetpp</c> (<see cref="LeNetPlusPlus"/>).</summary>
    public static IReadOnlyList<string> KnownNames { get; } = ["clsnet", "lenetpp"];

    /// <summary>
    /// A new network named <paramref name="name"/> (case-insensitive) with a <paramref name="featureDim"/>-dimensional output
    /// for <c>[B,1,28,28]</c> input, with a <see cref="FeatureBatchNorm"/> on top when <paramref name="featureBatchNorm"/>.
    /// Unknown names throw <see cref="ArgumentException"/> listing <see cref="KnownNames"/>.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Create(string name, int featureDim, bool featureBatchNorm = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        nn.Module<Tensor, Tensor> network = name.Trim().ToLowerInvariant() switch
        {
            "clsnet" => new ClsNet(featureDim),
            "lenetpp" => new LeNetPlusPlus(featureDim),
            _ => throw new ArgumentException(
                $"unknown network '{name}'; known networks: {string.Join(", ", KnownNames)}", nameof(name)),
        };
        return featureBatchNorm ? new FeatureBatchNorm(network, featureDim) : network;
    }
}
