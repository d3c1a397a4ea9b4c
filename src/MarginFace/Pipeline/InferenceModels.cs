namespace MarginFace.Pipeline;

/// <summary>
/// Finds the model files the inference pipeline ships without (they live beside the tool or in the shared models folder).
/// Search order for a model named by its path <c>R</c> relative to a models folder (e.g. <c>yunet/yunet_s_dynamic.onnx</c>):
/// <list type="number">
/// <item>the path given by the caller (used as is; a missing file is an error, no fallback);</item>
/// <item><c>DIR/R</c> in the models folder (<see cref="Runtime.ModelsFolder"/>: the program's setting, e.g. <c>marginface --models DIR</c>, else the environment variable <c>MARGINFACE_MODELS</c>);</item>
/// <item><c>models/R</c> next to the running program (<see cref="AppContext.BaseDirectory"/>);</item>
/// <item><c>shared/models/R</c> in the current directory or any of its parents (so <c>../shared/models</c> from a checkout).</item>
/// </list>
/// </summary>
internal static class InferenceModels
{
    /// <summary>The YuNet detector, relative to a models folder.</summary>
    public const string YuNet = "yunet/yunet_s_dynamic.onnx";

    /// <summary>Environment variable naming a models folder.</summary>
    public const string EnvironmentVariable = Runtime.ModelsFolder.EnvironmentVariable;

    /// <summary>The first existing file in the search order above; a one-line <see cref="MarginFaceException"/> naming the file when none exists.</summary>
    public static string Locate(string? given, string relative)
    {
        if (given is not null)
        {
            if (!File.Exists(given)) throw new MarginFaceException($"{given}: model file not found");
            return given;
        }
        foreach (var candidate in Candidates(relative))
            if (File.Exists(candidate)) return candidate;
        throw new MarginFaceException(
            $"{relative}: model file not found (looked in ${EnvironmentVariable}, {Path.Combine(AppContext.BaseDirectory, "models")} and shared/models above {Directory.GetCurrentDirectory()}; give its path)");
    }

    /// <summary>The places searched after an explicit path, in order.</summary>
    public static IEnumerable<string> Candidates(string relative)
    {
        if (Runtime.ModelsFolder.Current is { } folder)
            yield return Path.Combine(folder, relative);
        yield return Path.Combine(AppContext.BaseDirectory, "models", relative);
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            yield return Path.Combine(dir.FullName, "shared", "models", relative);
    }
}
