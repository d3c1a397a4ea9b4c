namespace MarginFace.Tests.Interop;

/// <summary>
/// A fact that runs face-api's JavaScript with Node.js: needs <c>node</c> and <c>npm</c> (face-api's package is packed once
/// into the test cache); skips, saying which is missing, and fails under CI, which has both.
/// </summary>
public sealed class NodeFaceApiFactAttribute : FactAttribute
{
    public NodeFaceApiFactAttribute()
    {
        string? missing = null;
        if (!FaceApiAnalysisCases.NodeOnPath) missing = "needs node on the PATH to run face-api's JavaScript (Fixtures/faceapi_analysis.mjs)";
        else if (!Prerequisites.NpmOnPath) missing = "needs npm on the PATH to fetch @vladmandic/face-api for Node.js";
        Skip = Prerequisites.SkipOutsideCi(missing);
    }
}
