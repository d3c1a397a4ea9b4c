namespace MarginFace.Distributed;

/// <summary>Small conveniences over <see cref="ICollective"/>.</summary>
public static class Collectives
{
    /// <summary>Rank <paramref name="root"/>'s <paramref name="value"/> on every rank (e.g. a decision only rank 0 may take).</summary>
    public static long BroadcastValue(this ICollective collective, long value, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(collective);
        Span<long> cell = [value];
        collective.Broadcast(cell, root);
        return cell[0];
    }
}
