using System.Diagnostics;

namespace MarginFace.Tests.Fuzz;

/// <summary>
/// Runs a reader on seeded mutations of a valid file: each case must succeed or throw <see cref="MarginFaceException"/> (or a
/// subtype); any other exception fails the test naming the case. Each case runs on a thread of its own (so that parallel
/// tests cannot starve the pool) and must end within <see cref="CaseTimeout"/> (a hang fails the test) having allocated at
/// most <see cref="MaxCaseAllocation"/> managed bytes. The loop stops after <c>cases</c> cases or when <c>budget</c> has
/// passed, whichever is first — the budget only bounds the test's time, it is not asserted.
/// </summary>
internal static class FuzzLoop
{
    /// <summary>Far longer than any case takes (milliseconds); only a reader stuck in a loop reaches it.</summary>
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Most managed memory one case may allocate (its thread's allocation counter): the files are a few MB, so only a reader
    /// that believed a mutated size allocates more.
    /// </summary>
    public const long MaxCaseAllocation = 256L << 20;

    /// <summary>
    /// Returns (cases run, cases refused with a MarginFaceException). The environment variable <c>MARGINFACE_FUZZ_SECONDS</c>
    /// replaces both limits by a longer search (cases without limit for that many seconds), e.g. for a run before a release.
    /// </summary>
    public static (int Run, int Refused) Run(byte[] valid, int seed, int cases, TimeSpan budget, Action<byte[]> read)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("MARGINFACE_FUZZ_SECONDS"), out var seconds) && seconds > 0)
            (cases, budget) = (int.MaxValue, TimeSpan.FromSeconds(seconds));
        var mutator = new SeededMutator(seed);
        var clock = Stopwatch.StartNew();
        var run = 0;
        var refused = 0;
        for (; run < cases && clock.Elapsed < budget; run++)
        {
            var bytes = mutator.Mutate(valid);
            var allocated = 0L;
            var task = Task.Factory.StartNew(() =>
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    read(bytes);
                }
                finally
                {
                    allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            try
            {
                if (!task.Wait(CaseTimeout))
                    Assert.Fail($"seed {seed}, case {run}: the reader did not finish within {CaseTimeout.TotalSeconds} s on {bytes.Length} bytes");
            }
            catch (AggregateException e) when (e.InnerException is MarginFaceException error)
            {
                Assert.DoesNotContain('\n', error.Message);
                refused++;
            }
            catch (AggregateException e)
            {
                Assert.Fail($"seed {seed}, case {run}: {e.InnerException?.GetType().Name} instead of a MarginFaceException: {e.InnerException}");
            }
            Assert.True(allocated <= MaxCaseAllocation, $"seed {seed}, case {run}: the reader allocated {allocated >> 20} MiB of managed memory for {bytes.Length} bytes");
        }
        return (run, refused);
    }
}
