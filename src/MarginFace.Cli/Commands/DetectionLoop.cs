using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Cli.Commands;

/// <summary>
/// The loop <c>detect</c> and <c>align</c> share: each image is read and searched for faces; an unreadable one is reported on
/// stderr and counts as bad input (exit 1), one without a face counts as exit 2 unless a worse outcome came first.
/// </summary>
internal static class DetectionLoop
{
    /// <summary>Calls <paramref name="handle"/> with each readable image and its faces; returns the worst exit code.</summary>
    public static int Run(IEnumerable<string> paths, FaceDetector detector, Action<string, RgbImage, IReadOnlyList<DetectedFace>> handle)
    {
        var outcome = ExitCodes.Success;
        foreach (var path in paths)
        {
            RgbImage image;
            try
            {
                image = ImageFile.Read(path);
            }
            catch (MarginFaceException e)
            {
                System.Console.Error.WriteLine($"error: {e.Message}");
                outcome = ExitCodes.Worst(outcome, ExitCodes.BadInput);
                continue;
            }
            var faces = detector.Detect(image);
            if (faces.Count == 0) outcome = ExitCodes.Worst(outcome, ExitCodes.NoFace);
            handle(path, image, faces);
        }
        return outcome;
    }
}
