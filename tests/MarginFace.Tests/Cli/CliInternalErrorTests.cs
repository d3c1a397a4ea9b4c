namespace MarginFace.Tests.Cli;

/// <summary>The last-resort handler: an exception no command expected is one line and exit code 70, the trace only on request.</summary>
public class CliInternalErrorTests
{
    private const int InternalError = 70;

    [Theory]
    [InlineData("main", "error: InvalidOperationException: injected fault on the main thread")]
    [InlineData("worker", "error: InvalidOperationException: injected fault on a worker thread")]
    [InlineData("task", "error: InvalidOperationException: injected fault in parallel task")]
    public void AnUnexpectedExceptionIsOneLineAndItsOwnExitCode(string where, string message)
    {
        var (exitCode, _, stderr) = CliProcess.Run(["backbones"], Fault(where));
        Assert.Equal(InternalError, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(message, line);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void VerboseAddsTheTrace()
    {
        var (exitCode, _, stderr) = CliProcess.Run(["backbones", "--verbose"], Fault("main"));
        Assert.Equal(InternalError, exitCode);
        Assert.StartsWith("error: InvalidOperationException: injected fault on the main thread", stderr);
        Assert.Contains("   at ", stderr);
    }

    [Fact]
    public void TheVerboseVariableAddsTheTrace()
    {
        var environment = Fault("worker");
        environment["MARGINFACE_VERBOSE"] = "1";
        var (exitCode, _, stderr) = CliProcess.Run(["backbones"], environment);
        Assert.Equal(InternalError, exitCode);
        Assert.StartsWith("error: InvalidOperationException: injected fault on a worker thread", stderr);
        Assert.Contains("   at ", stderr);
    }

    [Fact]
    public void VerboseIsAcceptedByEveryCommandAndChangesNothingWithoutAnError()
    {
        var (exitCode, stdout, stderr) = CliProcess.Run(["backbones", "--verbose"]);
        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr);
        Assert.NotEqual("", stdout);
    }

    private static Dictionary<string, string> Fault(string where) => new() { ["MARGINFACE_TEST_FAULT"] = where };
}
