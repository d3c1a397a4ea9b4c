using TorchSharp;

namespace MarginFace.Interop.PyTorch;

/// <summary>
/// A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a view of <see cref="Storage"/> with a shape,
/// strides (in elements) and a storage offset. Its extent has been checked against the storage.
/// </summary>
internal sealed record StoredTensor(TensorStorage Storage, long StorageOffset, long[] Shape, long[] Strides)
{
    public torch.ScalarType DType => Storage.DType;

    public long ElementCount => Shape.Aggregate(1L, (product, size) => product * size);

    /// <summary>A new contiguous CPU tensor with this view's values; it shares no memory with the storage or other tensors.</summary>
    public torch.Tensor ToTensor()
    {
        using var flat = torch.empty([Storage.ElementCount], DType);
        if (Storage.ElementCount > 0) Storage.Data.Span.CopyTo(flat.bytes);
        using var view = flat.as_strided(Shape, Strides, StorageOffset);
        return view.is_contiguous() ? view.clone() : view.contiguous();
    }
}
