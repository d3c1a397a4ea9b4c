using MarginFace.Cli.Commands;

namespace MarginFace.Cli;

/// <summary>
/// The last resort for an exception no command expected: one line on stderr (<c>error: Type: message</c>) and
/// <see cref="ExitCodes.InternalError"/>, so that a script sees a distinct code and a user sees no wall of frames. The trace
/// is printed as well with <c>--verbose</c> or <c>MARGINFACE_VERBOSE=1</c>, for a bug report.
/// </summary>
internal static class InternalError
{
    /// <summary>Environment variable that asks for the full trace (value <c>1</c>), for runs whose command line cannot change.</summary>
    public const string VerboseVariable = "MARGINFACE_VERBOSE";

    /// <summary>The global option that asks for the full trace.</summary>
    public const string VerboseOption = "--verbose";

    /// <summary>
    /// Test-only fault injection (<c>main</c> or <c>worker</c>): throws an unexpected exception on the main thread or on a
    /// worker thread before the command runs, so that the tests can see this handler at work. It reads and writes nothing.
    /// </summary>
    internal const string FaultVariable = "MARGINFACE_TEST_FAULT";

    private static bool verbose;

    /// <summary>Decides once whether traces are wanted, and catches exceptions that escape worker threads.</summary>
    public static void Install(IReadOnlyList<string> args)
    {
        verbose = args.Contains(VerboseOption) || Environment.GetEnvironmentVariable(VerboseVariable) == "1";
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            Report(e.ExceptionObject as Exception ?? new InvalidOperationException(e.ExceptionObject?.ToString()));
            Environment.Exit(ExitCodes.InternalError);
        };
    }

    /// <summary>Prints the one line (and the trace when asked) and returns <see cref="ExitCodes.InternalError"/>.</summary>
    public static int Report(Exception exception)
    {
        try
        {
            System.Console.Out.Flush();
        }
        catch (IOException)
        {
        }
        System.Console.Error.WriteLine(Describe(exception));
        if (verbose) System.Console.Error.WriteLine(exception.ToString());
        System.Console.Error.Flush();
        return ExitCodes.InternalError;
    }

    /// <summary><c>error: Type: message</c> on one line, for the exception that says most (wrappers of one exception are looked through).</summary>
    public static string Describe(Exception exception)
    {
        var cause = Cause(exception);
        var message = cause.Message.ReplaceLineEndings(" ").Trim();
        return $"error: {cause.GetType().Name}: {message}";
    }

    /// <summary>Throws when <see cref="FaultVariable"/> asks for it; nothing otherwise.</summary>
    public static void InjectFaultForTests()
    {
        switch (Environment.GetEnvironmentVariable(FaultVariable))
        {
            case "main":
                throw new InvalidOperationException("injected fault on the main thread");
            case "worker":
                var thread = new Thread(() => throw new InvalidOperationException("injected fault on a worker thread"));
                thread.Start();
                thread.Join();
                break;
            case "task":
                Parallel.For(0, 2, i => throw new InvalidOperationException($"injected fault in parallel task {i}"));
                break;
        }
    }

    private static Exception Cause(Exception exception)
    {
        while (true)
        {
            switch (exception)
            {
                case AggregateException aggregate when aggregate.Flatten().InnerExceptions.Count >= 1:
                    exception = aggregate.Flatten().InnerExceptions[0];
                    continue;
                case System.Reflection.TargetInvocationException or TypeInitializationException when exception.InnerException is not null:
                    exception = exception.InnerException;
                    continue;
                default:
                    return exception;
            }
        }
    }
}
