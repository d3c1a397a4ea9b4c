using System.Text.Json.Serialization;

namespace MarginFace.Evaluation;

/// <summary>How a fold of <see cref="LfwProtocol"/> scored its pairs; written as "cosine", "wccn" or "mixed" in result.json.</summary>
[JsonConverter(typeof(LfwPairScoringJsonConverter))]
public enum LfwPairScoring
{
    /// <summary>Cosine of the model's (flip-fused) unit embeddings.</summary>
    [JsonStringEnumMemberName("cosine")] Cosine,

    /// <summary>Cosine after within-class whitening fitted on the fold's training people (<c>LfwProtocolWhitening</c> in experiments/).</summary>
    [JsonStringEnumMemberName("wccn")] Wccn,

    /// <summary>A fusion (<c>LfwProtocolFusion</c> in experiments/) of runs scored differently.</summary>
    [JsonStringEnumMemberName("mixed")] Mixed,
}
