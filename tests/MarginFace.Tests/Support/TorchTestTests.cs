using static TorchSharp.torch;

namespace MarginFace.Tests.Support;

public class TorchTestTests
{
    private sealed class SomeTorchTest : TorchTest;

    [Fact]
    public void A_tensor_a_test_leaves_undisposed_is_freed_on_its_thread_when_the_test_ends()
    {
        var test = new SomeTorchTest();
        var temporary = ones(3).mul(2);

        test.Dispose();

        Assert.True(temporary.IsInvalid);
    }

    [Fact]
    public void A_test_that_ends_on_another_thread_fails_and_frees_nothing()
    {
        var test = new SomeTorchTest();
        var kept = ones(3);

        Exception? error = null;
        var other = new Thread(() => error = Record.Exception(test.Dispose));
        other.Start();
        other.Join();

        Assert.IsType<InvalidOperationException>(error);

        Assert.Contains("dispose scope was opened on thread", error.Message);
        Assert.False(kept.IsInvalid);
        test.Dispose();
        Assert.True(kept.IsInvalid);
    }
}
