using System.Globalization;

namespace MarginFace.Cli.Commands;

/// <summary>The <c>--param NAME=VALUE</c> loss parameters.</summary>
internal static class ParameterList
{
    public static IEnumerable<(string Name, double Value)> Parse(IEnumerable<string>? pairs)
    {
        foreach (var pair in pairs ?? [])
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || parts[0].Trim().Length == 0 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new MarginFaceException($"--param: expected NAME=NUMBER, got '{pair}'");
            yield return (parts[0].Trim(), value);
        }
    }
}
