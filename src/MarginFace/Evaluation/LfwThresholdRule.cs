namespace MarginFace.Evaluation;

/// <summary>How <see cref="LfwProtocol"/> chooses test fold k's threshold from scores that never include fold k's.</summary>
public enum LfwThresholdRule
{
    /// <summary>The threshold best in accuracy on the other folds' pairs (the protocol as LFW states it).</summary>
    OtherFolds,

    /// <summary>
    /// The threshold best in accuracy on the pairs of the held-out fold v = k mod F + 1 alone, whose people are left out of training
    /// too (<see cref="LfwProtocol.ThresholdFold"/>).
    /// </summary>
    HeldOutFold,

    /// <summary>
    /// The candidate best in balanced accuracy on the unseen people's same-person pairs and the other folds' different-person pairs
    /// (<see cref="Evaluation.VerificationProtocol.BestBalancedThreshold"/>).
    /// </summary>
    Unseen,

    /// <summary>
    /// Where normal fits to the same two sets of scores have equal density (<see cref="Evaluation.VerificationProtocol.NormalFitThreshold"/>).
    /// </summary>
    UnseenNormalFit,
}
