namespace MarginFace.Interop.PyTorch;

/// <summary>A pickled tuple (immutable; lists are <see cref="List{T}"/>).</summary>
internal sealed class PickleTuple(object?[] items)
{
    public static readonly PickleTuple Empty = new([]);

    public object?[] Items { get; } = items;

    public int Count => Items.Length;

    public object? this[int index] => Items[index];
}
