namespace MarginFace.Training;

/// <summary>How a loss of <see cref="LossRegistry"/> trains: what it needs of batches and how it predicts.</summary>
public enum LossFamily
{
    /// <summary>A margin head with cross-entropy (or focal loss); predicts by argmax of cos θ.</summary>
    MarginHead,

    /// <summary>Softmax head with focal loss.</summary>
    Focal,

    /// <summary>Softmax plus λ·centre loss.</summary>
    Center,

    /// <summary>Contrastive loss on pairs drawn from the batch; predicts by nearest class centre.</summary>
    Pair,

    /// <summary>Triplet loss with online mining; needs P×K batches; predicts by nearest class centre.</summary>
    Triplet,
}
