namespace MarginFace.Tests.Support;

/// <summary>
/// A fact that drives Debian's headless Chromium (<c>/usr/bin/chromium</c>, <c>/usr/bin/chromedriver</c>; <c>.ci/run</c> installs
/// them) and reads the shared data <paramref name="relative"/>; it skips when either is missing, and under CI fails instead.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Browser = "/usr/bin/chromium";

    public const string Driver = "/usr/bin/chromedriver";

    public ChromiumFactAttribute(params string[] relative)
    {
        var missing = !File.Exists(Browser) || !File.Exists(Driver)
            ? $"needs Chromium and its driver ({Browser}, {Driver}: apt-get install chromium chromium-driver)"
            : Prerequisites.MissingSharedData(relative);
        Skip = Prerequisites.SkipOutsideCi(missing);
    }
}
