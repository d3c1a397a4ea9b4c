using TorchSharp;

namespace MarginFace.Runtime;

/// <summary>
/// Scalars held for the life of the process, for ops in hot paths: TorchSharp's implicit <c>1</c> is a new Scalar that the
/// finalizer may free while the native call still reads it (TorchSharp 0.107; it crashed a run of 7,701 LFW images with
/// "toFloat", and LFW training in batch norm's <c>add_(1)</c>; see <see cref="NoCollectionSpan"/>).
/// </summary>
internal static class HeldScalars
{
    /// <summary>The integer 1 (as α of <c>add</c>, or the batch count's increment).</summary>
    public static readonly Scalar One = 1;
}
