namespace MarginFace.Runtime;

/// <summary>What <see cref="TorchRuntime.Initialize"/> loaded.</summary>
/// <param name="LibTorchDirectory">The directory libtorch was loaded from.</param>
/// <param name="HasCudaLibraries">Whether that libtorch has <c>libtorch_cuda.so</c>.</param>
/// <param name="LibStdCxx">Whether TorchSharp's glue library was loaded as is or as a weakened private copy.</param>
/// <param name="PatchedCopy">Path of the private copy, when one was used.</param>
internal sealed record TorchRuntimeInfo(string LibTorchDirectory, bool HasCudaLibraries, LibStdCxxAction LibStdCxx, string? PatchedCopy);
