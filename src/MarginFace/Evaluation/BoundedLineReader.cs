using System.Text;

namespace MarginFace.Evaluation;

/// <summary>Reads lines like <see cref="TextReader.ReadLine"/>, but refuses one longer than a limit before holding it all in memory.</summary>
internal sealed class BoundedLineReader(TextReader reader, int maxLength, string source)
{
    private readonly char[] buffer = new char[1 << 16];
    private readonly StringBuilder line = new();
    private int position, length;
    private int lineNumber;

    /// <summary>The next line without its '\n' (and '\r'), or null at the end; a line over the limit is a <see cref="MarginFaceException"/>.</summary>
    public string? ReadLine()
    {
        line.Clear();
        lineNumber++;
        while (true)
        {
            if (position == length)
            {
                length = reader.Read(buffer, 0, buffer.Length);
                position = 0;
                if (length == 0) return line.Length > 0 ? Trimmed() : null;
            }
            int newline = Array.IndexOf(buffer, '\n', position, length - position);
            int end = newline < 0 ? length : newline;
            if (line.Length + end - position > maxLength)
                throw new MarginFaceException($"{source}:{lineNumber}: line longer than {maxLength} characters");
            line.Append(buffer, position, end - position);
            position = end;
            if (newline >= 0)
            {
                position++;
                return Trimmed();
            }
        }
    }

    private string Trimmed() => line.Length > 0 && line[^1] == '\r' ? line.ToString(0, line.Length - 1) : line.ToString();
}
