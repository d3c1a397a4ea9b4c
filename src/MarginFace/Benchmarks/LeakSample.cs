namespace MarginFace.Benchmarks;

/// <summary>
/// One reading of the leak check after <see cref="Step"/> steps: resident memory (MiB), the memory the .NET garbage collector
/// has committed for its heap (MiB; part of the resident set once touched), and the training thread's live tensors.
/// </summary>
internal sealed record LeakSample(int Step, double RssMb, long LiveTensors, double ManagedCommittedMb = 0);
