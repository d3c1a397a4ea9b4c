namespace MarginFace.Benchmarks;

/// <summary>One reading of the leak check after <see cref="Step"/> steps: resident memory (MiB) and the training thread's live tensors.</summary>
public sealed record LeakSample(int Step, double RssMb, long LiveTensors);
