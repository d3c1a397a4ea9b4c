using MarginFace.Runtime;
using TorchSharp;

namespace MarginFace.Tests;

/// <summary>Base for tests that use TorchSharp: loads libtorch once (patching libstdc++ needs where required), on CPU.</summary>
public abstract class TorchTest
{
    protected TorchTest()
    {
        TorchRuntime.Initialize();
        torch.set_num_threads(1);
    }
}
