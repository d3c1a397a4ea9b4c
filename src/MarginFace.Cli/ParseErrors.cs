using System.Text.RegularExpressions;

namespace MarginFace.Cli;

/// <summary>System.CommandLine's parse errors in the words of the other one-line errors (<c>--epochs: expected a whole number, got 'ten'</c>).</summary>
internal static partial class ParseErrors
{
    public static string Describe(string message)
    {
        var match = WrongType().Match(message);
        if (!match.Success) return message.TrimEnd('.');
        var expected = match.Groups["type"].Value switch
        {
            "Int32" or "Int64" => "a whole number",
            "Double" or "Single" => "a number",
            "Boolean" => "true or false",
            var other => other,
        };
        return $"{match.Groups["option"].Value}: expected {expected}, got '{match.Groups["value"].Value}'";
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?:System\.Nullable`1\[)?System\.(?<type>\w+)\]?'\.?$")]
    private static partial Regex WrongType();
}
