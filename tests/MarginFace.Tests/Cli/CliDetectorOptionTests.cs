using MarginFace.Cli.Commands;
using MarginFace.Pipeline;

namespace MarginFace.Tests.Cli;

/// <summary><c>--detector ssd|tiny|yunet:PATH</c> (a bare <c>.onnx</c> path is YuNet, as before).</summary>
public class CliDetectorOptionTests
{
    [Theory]
    [InlineData(null, FaceDetectorKind.SsdMobileNetV1, null)]
    [InlineData("ssd", FaceDetectorKind.SsdMobileNetV1, null)]
    [InlineData("TINY", FaceDetectorKind.Tiny, null)]
    [InlineData("yunet", FaceDetectorKind.YuNet, null)]
    [InlineData("yunet:/m/y.onnx", FaceDetectorKind.YuNet, "/m/y.onnx")]
    [InlineData("/m/yunet_s_dynamic.onnx", FaceDetectorKind.YuNet, "/m/yunet_s_dynamic.onnx")]
    public void DetectorNamesParse(string? text, FaceDetectorKind kind, string? path) =>
        Assert.Equal((kind, path), DetectorOptions.Parse(text));

    [Theory]
    [InlineData("mtcnn", "--detector 'mtcnn': expected ssd, tiny or yunet:PATH")]
    [InlineData("yunet:", "--detector yunet:PATH needs the path of a YuNet ONNX file")]
    public void AnUnknownDetectorIsOneLine(string text, string message) =>
        Assert.Equal(message, Assert.Throws<MarginFaceException>(() => DetectorOptions.Parse(text)).Message);
}
