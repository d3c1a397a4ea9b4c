using TorchSharp;
using MarginFace.Runtime;

namespace MarginFace.Tests.Support;

/// <summary>
/// Base for tests that use TorchSharp: loads libtorch once (patching libstdc++ needs where required), on CPU, and runs each test
/// inside a dispose scope opened by the constructor and closed by <see cref="Dispose"/> on the same thread. Every tensor a test
/// makes (its temporaries included) is then held until the test ends and freed on the test's thread: none is left to the
/// finalizer, whose thread can free a temporary's native tensor while a call on it still runs (a use-after-free that once
/// crashed the test host in <c>c10::TensorImpl::requires_grad()</c>).
/// </summary>
public abstract class TorchTest : IDisposable
{
    private readonly DisposeScope _scope;
    private readonly int _thread;

    protected TorchTest()
    {
        TorchRuntime.Initialize();
        torch.set_num_threads(1);
        _thread = Environment.CurrentManagedThreadId;
        _scope = torch.NewDisposeScope();
    }

    /// <summary>Frees the test's tensors; a test that moved to another thread fails instead (the scope belongs to its first thread).</summary>
    public virtual void Dispose()
    {
        if (Environment.CurrentManagedThreadId != _thread)
            throw new InvalidOperationException($"test ended on thread {Environment.CurrentManagedThreadId}, its dispose scope was opened on thread {_thread}");
        _scope.Dispose();
        GC.SuppressFinalize(this);
    }
}
