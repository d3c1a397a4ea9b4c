using static TorchSharp.torch;

namespace MarginFace.Data;

/// <summary>A random transform of a training batch [B,C,H,W]; all randomness comes from the given generator, so a seeded run replays.</summary>
public interface IBatchAugmentation
{
    /// <summary>The transformed batch (same shape, dtype and device).</summary>
    Tensor Apply(Tensor images, Generator generator);
}
