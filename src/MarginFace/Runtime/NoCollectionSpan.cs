using System.Runtime;

namespace MarginFace.Runtime;

/// <summary>
/// A span of native work during which the garbage collector does not run (<see cref="GC.TryStartNoGCRegion(long, long)"/>).
/// TorchSharp 0.107 turns every .NET number given to an op (<c>x * 0.5</c>, <c>add_(g, alpha: lr)</c>, batch norm's
/// <c>add_(1)</c>) into a <c>Scalar</c> that nothing references once its handle is read; a collection started meanwhile by
/// another thread (an image-decoding worker) lets the finalizer free it while libtorch still reads it: a crash ("toLong",
/// "alpha must not be a floating point number", twice in 20 minutes of LFW training at 2 threads and 1 worker) or a wrong
/// number. In the span nothing new dies for the finalizer; what died before is collected when it starts, when this thread
/// has no native call in flight. If more than the budget is allocated a collection happens anyway and the span ends early;
/// where a span cannot start (one is open, or the runtime refuses the budget) it does nothing.
/// </summary>
internal sealed class NoCollectionSpan : IDisposable
{
    /// <summary>Bytes that may be allocated in a span of <see cref="Begin()"/>, half of them on the large-object heap.</summary>
    public const long DefaultBudget = 512L << 20;

    private bool open;

    private NoCollectionSpan(bool open) => this.open = open;

    /// <summary>Whether the span is in force: started, not ended, and not ended early by a collection.</summary>
    public bool IsOpen => open && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;

    /// <summary>Starts a span with <see cref="DefaultBudget"/>.</summary>
    public static NoCollectionSpan Begin() => Begin(DefaultBudget);

    /// <summary>Starts a span in which <paramref name="budgetBytes"/> may be allocated without a collection.</summary>
    public static NoCollectionSpan Begin(long budgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetBytes, 1L << 20);
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return new NoCollectionSpan(false);
        try
        {
            return new NoCollectionSpan(GC.TryStartNoGCRegion(budgetBytes, budgetBytes / 2));
        }
        catch (ArgumentOutOfRangeException)
        {
            return new NoCollectionSpan(false);
        }
        catch (InvalidOperationException)
        {
            return new NoCollectionSpan(false);
        }
    }

    public void Dispose()
    {
        if (!open) return;
        open = false;
        if (GCSettings.LatencyMode != GCLatencyMode.NoGCRegion) return;
        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // A collection ended the region before the budget ran out (induced, or the budget was exceeded): nothing to end.
        }
    }
}
