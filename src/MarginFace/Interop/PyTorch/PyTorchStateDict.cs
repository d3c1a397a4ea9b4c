namespace MarginFace.Interop.PyTorch;

/// <summary>A state dict read from a <c>torch.save</c> file: parameter and buffer names, in the file's order, to tensors.</summary>
internal sealed class PyTorchStateDict
{
    private readonly Dictionary<string, StoredTensor> _byName;

    internal PyTorchStateDict(string source, IReadOnlyList<KeyValuePair<string, StoredTensor>> entries)
    {
        Source = source;
        Entries = entries;
        _byName = entries.ToDictionary(entry => entry.Key, entry => entry.Value, StringComparer.Ordinal);
    }

    /// <summary>The file it was read from.</summary>
    public string Source { get; }

    public IReadOnlyList<KeyValuePair<string, StoredTensor>> Entries { get; }

    public IEnumerable<string> Names => Entries.Select(entry => entry.Key);

    public int Count => Entries.Count;

    public StoredTensor this[string name] =>
        _byName.TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"{Source}: no tensor '{name}'");

    public bool TryGetValue(string name, out StoredTensor tensor) => _byName.TryGetValue(name, out tensor!);
}
