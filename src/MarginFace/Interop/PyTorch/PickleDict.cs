namespace MarginFace.Interop.PyTorch;

/// <summary>A pickled <c>dict</c> or <c>collections.OrderedDict</c>: entries in insertion order, plus the attributes a <c>BUILD</c> set.</summary>
internal sealed class PickleDict
{
    private readonly List<KeyValuePair<object?, object?>> _entries = [];
    private readonly Dictionary<object, int> _index = [];

    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => _entries;

    /// <summary>Attributes set on the object (an OrderedDict state dict's <c>_metadata</c>).</summary>
    public PickleDict? Attributes { get; set; }

    /// <summary>Sets <paramref name="key"/> as Python does: a repeated key keeps its first position and takes the new value.</summary>
    public void Set(object? key, object? value)
    {
        var lookup = key ?? NullKey.Instance;
        if (_index.TryGetValue(lookup, out var position))
        {
            _entries[position] = new(key, value);
            return;
        }
        _index[lookup] = _entries.Count;
        _entries.Add(new(key, value));
    }

    private sealed class NullKey
    {
        public static readonly NullKey Instance = new();
    }
}
