using TorchSharp.Modules;

namespace MarginFace.Distributed;

/// <summary>An objective whose parameters are split by rank (each rank holds and updates its own part), so they are not averaged over the ranks.</summary>
public interface IRankShardedObjective
{
    /// <summary>This rank's part of the parameters.</summary>
    IReadOnlyList<Parameter> RankShards { get; }
}
