using System.Text;

namespace MarginFace.Tests.Fuzz;

/// <summary>
/// Seeded mutations of a valid text file (cut, repeated and swapped pieces, characters and tokens that readers trip on) fed
/// to a reader that may only refuse with its own one-line error. Deterministic: a failure names the iteration and the input.
/// </summary>
internal static class TextFuzz
{
    private static readonly string[] Tokens =
    [
        "\"", "\\", "\\u", "\\ud800", "\\udfff", "\\u0000", "\t", "\n", "\r", "\r\n", "{", "}", "[", "]", ",", ":", " ", "#", "//", "/*",
        "null", "true", "false", "0", "-0", "-1", "1e999", "-1e999", "1e-999", "NaN", "\"NaN\"", "Infinity", "\"-Infinity\"", "3.5",
        "2147483648", "99999999999999999999999999", "0x10", "+1", "\u0000", "\uFFFD", "\uD800", "é", "名", "/", "..", "\u2028",
        new string('[', 200), new string('{', 70), new string('9', 400), new string('a', 5000),
    ];

    /// <summary>Runs <paramref name="read"/> on <paramref name="iterations"/> mutations of <paramref name="seed"/>.</summary>
    public static void Run(string seed, int iterations, int rngSeed, Action<string> read)
    {
        var random = new Random(rngSeed);
        for (int i = 0; i < iterations; i++)
        {
            var text = Mutate(seed, random);
            try
            {
                read(text);
            }
            catch (MarginFaceException e)
            {
                if (e.Message.Contains('\n') || e.Message.Contains('\r'))
                    throw new Xunit.Sdk.XunitException($"iteration {i}: a message of several lines: {Escape(e.Message)}\ninput: {Escape(text)}");
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"iteration {i}: {e.GetType().Name}: {e.Message}\ninput: {Escape(text)}\n{e.StackTrace}");
            }
        }
    }

    /// <summary>One to four edits of <paramref name="seed"/>.</summary>
    public static string Mutate(string seed, Random random)
    {
        var text = new StringBuilder(seed);
        var edits = random.Next(1, 5);
        for (int e = 0; e < edits; e++)
        {
            int at = text.Length == 0 ? 0 : random.Next(text.Length);
            switch (random.Next(8))
            {
                case 0: // delete a piece
                    text.Remove(at, Math.Min(text.Length - at, random.Next(1, 20)));
                    break;
                case 1: // insert a token
                    text.Insert(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 2: // replace a character
                    if (text.Length > 0) text[at] = (char)random.Next(0, 128);
                    break;
                case 3: // repeat a piece (lines, values)
                    var length = Math.Min(text.Length - at, random.Next(1, 200));
                    var piece = text.ToString(at, length);
                    text.Insert(at, piece);
                    break;
                case 4: // cut the end
                    text.Length = at;
                    break;
                case 5: // a digit becomes another
                    for (int i = at; i < text.Length; i++)
                        if (char.IsAsciiDigit(text[i]))
                        {
                            text[i] = (char)('0' + random.Next(10));
                            break;
                        }
                    break;
                case 6: // swap two lines
                    var lines = text.ToString().Split('\n');
                    if (lines.Length > 2)
                    {
                        int a = random.Next(lines.Length), b = random.Next(lines.Length);
                        (lines[a], lines[b]) = (lines[b], lines[a]);
                        text.Clear().Append(string.Join('\n', lines));
                    }
                    break;
                default: // a token replaces a piece
                    text.Remove(at, Math.Min(text.Length - at, random.Next(1, 8)));
                    text.Insert(at, Tokens[random.Next(Tokens.Length)]);
                    break;
            }
        }
        return text.ToString();
    }

    private static string Escape(string text)
    {
        var shown = text.Length > 400 ? text[..400] + "…" : text;
        return System.Text.Json.JsonSerializer.Serialize(shown);
    }
}
