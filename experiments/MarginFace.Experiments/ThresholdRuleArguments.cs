using System.CommandLine;
using MarginFace.Evaluation;

namespace MarginFace.Experiments;

/// <summary>The <c>--threshold</c> option of the experiment commands: which <see cref="LfwThresholdRule"/> re-judges a run.</summary>
internal static class ThresholdRuleArguments
{
    public static Option<string?> Option(string? byDefault) => new("--threshold")
    {
        Description = "how fold k's threshold is chosen: other-folds (best accuracy on the other folds' pairs), unseen (best balanced accuracy on the " +
            "unseen people's same-person pairs and the other folds' different-person pairs; needs unseen-scores.tsv), unseen-normal-fit (where normal " +
            "fits to those two sets have equal density), held-out-fold (best accuracy on the next fold's pairs, for runs trained with --held-out-threshold)" + (byDefault is null ? "" : $"; default: {byDefault}"),
    };

    public static LfwThresholdRule? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "other-folds" => LfwThresholdRule.OtherFolds,
        "unseen" => LfwThresholdRule.Unseen,
        "unseen-normal-fit" => LfwThresholdRule.UnseenNormalFit,
        "held-out-fold" => LfwThresholdRule.HeldOutFold,
        _ => throw new MarginFaceException($"--threshold: expected other-folds, unseen, unseen-normal-fit or held-out-fold, got '{text}'"),
    };
}
