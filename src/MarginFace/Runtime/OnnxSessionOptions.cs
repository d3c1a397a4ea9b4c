using Microsoft.ML.OnnxRuntime;

namespace MarginFace.Runtime;

/// <summary>
/// The session options every ONNX Runtime model of MarginFace runs with (face models, YuNet, face-api's networks):
/// <c>threads</c> intra-op threads (0: ONNX Runtime's choice), one inter-op thread and sequential execution
/// (one image's graph is a chain; parallel branches would only fight the intra-op pool), all graph optimisations.
/// </summary>
internal static class OnnxSessionOptions
{
    /// <summary>New options (the caller disposes them) with <paramref name="threads"/> intra-op threads.</summary>
    public static SessionOptions Create(int threads) => new()
    {
        IntraOpNumThreads = threads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };
}
