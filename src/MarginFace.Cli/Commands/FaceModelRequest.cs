using MarginFace.FaceModels;

namespace MarginFace.Cli.Commands;

/// <summary>What a command asks of <see cref="FaceModelOptions.Open(FaceModelRequest)"/>: the <c>--model</c> path and how to run an ONNX model.</summary>
internal sealed record FaceModelRequest(string Path, OnnxModelConvention Convention = OnnxModelConvention.Metadata, int Threads = 0);
