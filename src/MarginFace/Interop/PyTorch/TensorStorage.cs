using TorchSharp;

namespace MarginFace.Interop.PyTorch;

/// <summary>One storage of a <c>torch.save</c> archive (<c>data/KEY</c>): its element type and raw little-endian bytes.</summary>
internal sealed class TensorStorage
{
    internal TensorStorage(string key, torch.ScalarType type, long elementCount, byte[] data)
        : this(key, type, elementCount) => Data = data;

    /// <summary>A storage declared by the pickle whose bytes are read later, once every storage's size has been checked.</summary>
    internal TensorStorage(string key, torch.ScalarType type, long elementCount)
    {
        Key = key;
        DType = type;
        ElementCount = elementCount;
    }

    /// <summary>The storage's key: its entry is <c>data/KEY</c> in the archive.</summary>
    public string Key { get; }

    public torch.ScalarType DType { get; }

    public long ElementCount { get; }

    /// <summary>The elements as stored, little-endian (<see cref="ElementCount"/> × element size bytes).</summary>
    public ReadOnlyMemory<byte> Data { get; internal set; }
}
