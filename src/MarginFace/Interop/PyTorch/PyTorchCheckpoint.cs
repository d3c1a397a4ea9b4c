
namespace MarginFace.Interop.PyTorch;

/// <summary>
/// Reads state dicts that <c>torch.save(model.state_dict(), path)</c> wrote, without Python and without executing the
/// pickle (see <see cref="RestrictedUnpickler"/>). A file that is not such a state dict, asks for anything else, or whose
/// sizes disagree is a <see cref="MarginFaceException"/> naming the file and the problem.
/// </summary>
internal static class PyTorchCheckpoint
{
    /// <summary>A state dict's pickle holds names and sizes only; 256 MiB is far beyond any real one.</summary>
    private const long MaxPickleBytes = 256L << 20;

    /// <summary>
    /// Reads the top-level dict of <paramref name="path"/>, which must map names to tensors. Storages are read once and
    /// shared by the tensors that view them; every view's extent is checked against its storage.
    /// </summary>
    public static PyTorchStateDict ReadStateDict(string path)
    {
        using var archive = TorchArchive.Open(path);
        var storages = new Dictionary<string, TensorStorage>(StringComparer.Ordinal);
        var pickle = archive.ReadPickle(MaxPickleBytes);
        var root = new RestrictedUnpickler(path, pickle, id => LoadStorage(path, archive, storages, id)).Load();
        if (root is not PickleDict dict)
            throw new MarginFaceException($"{path}: holds {Describe(root)}, not a state dict (a dict of name → tensor)");

        var entries = new List<KeyValuePair<string, StoredTensor>>(dict.Entries.Count);
        foreach (var (key, value) in dict.Entries)
        {
            if (key is not string name)
                throw new MarginFaceException($"{path}: a state-dict key is {Describe(key)}, not a string");
            if (value is not StoredTensor tensor)
                throw new MarginFaceException($"{path}: entry '{name}' is {Describe(value)}, not a tensor; expected a state dict (name → tensor)");
            CheckExtent(path, name, tensor);
            entries.Add(new(name, tensor));
        }
        return new PyTorchStateDict(path, entries);
    }

    /// <summary>Resolves <c>('storage', storage_type, key, location, numel)</c> to the storage's bytes.</summary>
    private static TensorStorage LoadStorage(string path, TorchArchive archive, Dictionary<string, TensorStorage> storages, PickleTuple id)
    {
        if (id.Count != 5 || id[0] is not "storage" || id[1] is not PickleGlobal type || id[2] is not string key
            || id[3] is not string || id[4] is not long elementCount)
            throw new MarginFaceException($"{path}: a persistent id is not ('storage', type, key, location, numel)");
        if (!StorageTypes.TryGet(type, out var dtype))
            throw new MarginFaceException($"{path}: storage '{key}' has type '{type}', which is not a storage type");
        if (storages.TryGetValue(key, out var known))
        {
            if (known.DType != dtype || known.ElementCount != elementCount)
                throw new MarginFaceException($"{path}: storage '{key}' is declared twice with different types or sizes");
            return known;
        }
        var elementSize = StorageTypes.ElementSize(dtype);
        if (elementCount < 0 || elementCount > long.MaxValue / elementSize)
            throw new MarginFaceException($"{path}: storage '{key}' declares {elementCount} elements");
        var declaration = $"{elementCount} elements of {StorageTypes.Describe(dtype)}";
        var data = archive.ReadStorage(key, elementCount * elementSize, declaration);
        if (archive.BigEndian) SwapToLittleEndian(data, elementSize);
        var storage = new TensorStorage(key, dtype, elementCount, data);
        storages[key] = storage;
        return storage;
    }

    /// <summary>The view must stay inside its storage: offset + Σ (size_i − 1)·stride_i &lt; numel, all non-negative.</summary>
    private static void CheckExtent(string path, string name, StoredTensor tensor)
    {
        if (tensor.StorageOffset < 0 || tensor.Shape.Any(size => size < 0) || tensor.Strides.Any(stride => stride < 0))
            throw new MarginFaceException($"{path}: tensor '{name}' has a negative size, stride or storage offset");
        var elements = 1L;
        var last = tensor.StorageOffset;
        try
        {
            checked
            {
                for (var i = 0; i < tensor.Shape.Length; i++)
                {
                    elements *= tensor.Shape[i];
                    if (tensor.Shape[i] > 0) last += (tensor.Shape[i] - 1) * tensor.Strides[i];
                }
            }
        }
        catch (OverflowException)
        {
            throw new MarginFaceException($"{path}: tensor '{name}' has sizes [{string.Join(", ", tensor.Shape)}] that overflow 64 bits");
        }
        if (elements > 0 && last >= tensor.Storage.ElementCount)
            throw new MarginFaceException(
                $"{path}: tensor '{name}' (shape [{string.Join(", ", tensor.Shape)}], strides [{string.Join(", ", tensor.Strides)}], offset {tensor.StorageOffset}) reaches element {last} of storage '{tensor.Storage.Key}', which holds {tensor.Storage.ElementCount}");
    }

    private static void SwapToLittleEndian(byte[] data, int elementSize)
    {
        if (elementSize == 1) return;
        for (var i = 0; i + elementSize <= data.Length; i += elementSize)
            data.AsSpan(i, elementSize).Reverse();
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        string => "a string",
        long => "an integer",
        double => "a float",
        bool => "a bool",
        PickleDict => "a dict",
        PickleTuple => "a tuple",
        List<object?> => "a list",
        StoredTensor => "a tensor",
        TensorStorage => "a storage",
        PickleGlobal global => $"a reference to {global}",
        _ => value.GetType().Name,
    };
}
