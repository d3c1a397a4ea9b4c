using System.Runtime.InteropServices;

namespace MarginFace.Cli.Console;

/// <summary>
/// Turns Ctrl-C (SIGINT) and SIGTERM (what <c>docker stop</c>, systemd and job schedulers send) into a cancellation: training
/// stops after the current step and saves its checkpoint. <see cref="ExitCode"/> is 128 + the signal number, as a shell reports it.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource cancel = new();
    private readonly PosixSignalRegistration interrupt;
    private readonly PosixSignalRegistration terminate;
    private int signal;

    public StopSignals()
    {
        interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    public CancellationToken Token => cancel.Token;

    public bool Stopped => cancel.IsCancellationRequested;

    /// <summary>130 after SIGINT, 143 after SIGTERM, else <paramref name="normal"/>.</summary>
    public int ExitCode(int normal = 0) => signal switch { 0 => normal, 2 => 130, _ => 143 };

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.CompareExchange(ref signal, context.Signal == PosixSignal.SIGINT ? 2 : 15, 0) != 0) return;
        System.Console.Error.WriteLine($"{(context.Signal == PosixSignal.SIGINT ? "interrupted" : "terminated")}: stopping after the current step; the checkpoint will be saved...");
        cancel.Cancel();
    }

    public void Dispose()
    {
        interrupt.Dispose();
        terminate.Dispose();
        cancel.Dispose();
    }
}
