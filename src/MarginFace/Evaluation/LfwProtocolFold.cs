using System.Text.Json.Serialization;

namespace MarginFace.Evaluation;

/// <summary>
/// One test fold of <see cref="LfwProtocol"/>: the model trained on the people of the other folds, the threshold chosen on the other folds'
/// pairs and the accuracy on this fold's pairs. <see cref="Fold"/> counts from 1, as the command line does.
/// </summary>
public sealed record LfwProtocolFold
{
    /// <summary>The 1-based fold tested; the model was trained on the people of the other folds.</summary>
    public int Fold { get; init; }

    /// <summary>Fraction of the fold's pairs classified correctly ("same" when the cosine is above <see cref="Threshold"/>).</summary>
    public double Accuracy { get; init; }

    /// <summary>
    /// The cosine threshold that maximises accuracy on the other folds' pairs, or on <see cref="ThresholdFold"/>'s, or (with
    /// <see cref="UnseenPeople"/>) the balanced accuracy of the other folds' different-person pairs and the unseen people's same-person pairs.
    /// </summary>
    public double Threshold { get; init; }

    /// <summary>The held-out fold (1-based, left out of training) whose pairs chose <see cref="Threshold"/>; null: all other folds'.</summary>
    public int? ThresholdFold { get; init; }

    /// <summary>The rule that chose <see cref="Threshold"/>, read from <see cref="ThresholdFold"/>, <see cref="UnseenPeople"/> and <see cref="UnseenNormalFit"/>.</summary>
    [JsonIgnore]
    public LfwThresholdRule Rule =>
        ThresholdFold is not null ? LfwThresholdRule.HeldOutFold
        : UnseenPeople is null ? LfwThresholdRule.OtherFolds
        : UnseenNormalFit ? LfwThresholdRule.UnseenNormalFit
        : LfwThresholdRule.Unseen;

    /// <summary>
    /// How many people outside the pairs file (<see cref="Evaluation.UnseenPeople"/>) gave the same-person pairs that, with the other
    /// folds' different-person pairs, chose <see cref="Threshold"/>; null when they did not.
    /// </summary>
    public int? UnseenPeople { get; init; }

    /// <summary>How many same-person pairs of <see cref="UnseenPeople"/> chose the threshold; null when they did not.</summary>
    public int? UnseenPairs { get; init; }

    /// <summary>
    /// With <see cref="UnseenPeople"/>: the threshold is where normal fits to the two sets of scores have equal density
    /// (<see cref="Evaluation.VerificationProtocol.NormalFitThreshold"/>), not the best candidate of the scores themselves.
    /// </summary>
    public bool UnseenNormalFit { get; init; }

    /// <summary>
    /// Accuracy on this fold's pairs at the threshold best for them (<see cref="HindsightThreshold"/>): chosen by looking at the test
    /// fold, so never a protocol result; the gap to <see cref="Accuracy"/> is what choosing the threshold elsewhere costs.
    /// </summary>
    public double? HindsightAccuracy { get; init; }

    /// <summary>The threshold that maximises accuracy on this fold's own pairs (see <see cref="HindsightAccuracy"/>).</summary>
    public double? HindsightThreshold { get; init; }

    /// <summary>Accuracy of <see cref="Threshold"/> on the pairs it was chosen on (balanced accuracy, with <see cref="UnseenPeople"/>).</summary>
    public double TrainingPairsAccuracy { get; init; }

    /// <summary>The fold's pairs scored.</summary>
    public int Pairs { get; init; }

    /// <summary>People trained on: those named by the other folds' pairs.</summary>
    public int Identities { get; init; }

    /// <summary>Training images of <see cref="Identities"/>.</summary>
    public int Images { get; init; }

    /// <summary>Epochs trained.</summary>
    public int Epochs { get; init; }

    /// <summary>Training accuracy of the margin head in the last epoch.</summary>
    public double? TrainAccuracy { get; init; }

    /// <summary>Mean training loss of the last epoch; null when it was not finite.</summary>
    public double? Loss { get; init; }

    /// <summary>Seconds spent in training epochs (over all sessions of a resumed run).</summary>
    public double TrainSeconds { get; init; }

    /// <summary>Training images per second over all epochs (images seen / <see cref="TrainSeconds"/>).</summary>
    public double ImagesPerSecond { get; init; }

    /// <summary>Seconds to embed the pairs' images and score the pairs.</summary>
    public double ScoreSeconds { get; init; }

    /// <summary><see cref="FaceModels.FaceModelInfo.ModelId"/> of the fold's trained model.</summary>
    public string? ModelId { get; init; }

    /// <summary>How the pairs were scored (files written before this field read as <see cref="LfwPairScoring.Cosine"/>).</summary>
    public LfwPairScoring Scoring { get; init; }

    /// <summary>For a fold that fuses several runs (experiments/'s lfw-fuse): the fused runs' fold directories; null for a trained fold.</summary>
    public IReadOnlyList<string>? Members { get; init; }
}
