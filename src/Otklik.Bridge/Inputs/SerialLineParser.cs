using System.Globalization;
using System.Text;
using Otklik.Bridge.Queue;

namespace Otklik.Bridge.Inputs;

/// <summary>One line read from a serial button: a press, or a reason why the line was ignored.</summary>
public sealed record SerialLine(string Raw, PressType? Type = null, string? Button = null, uint? Sequence = null, string? Error = null)
{
    public bool IsPress => Type is not null;
}

/// <summary>
/// The serial line protocol: ASCII lines ending in LF (a CR before it is ignored), each
/// <c>&lt;G|R|GREEN|RED&gt; [button-id] [sequence]</c>, fields separated by spaces. Empty lines and lines
/// starting with '#' are skipped. Anything else is reported as an error and skipped. Splits a byte stream into
/// lines, surviving garbage, binary noise and over-long lines.
/// </summary>
public sealed class SerialLineParser
{
    public const int MaxLineLength = 80;

    private readonly List<byte> _buffer = new(MaxLineLength);
    private bool _overlong;

    public List<SerialLine> Feed(ReadOnlySpan<byte> data)
    {
        var lines = new List<SerialLine>();
        foreach (var b in data)
        {
            if (b == (byte)'\n')
            {
                if (_overlong)
                {
                    lines.Add(new SerialLine("", Error: $"line longer than {MaxLineLength} bytes"));
                }
                else if (ParseLine(_buffer) is { } line)
                {
                    lines.Add(line);
                }
                _buffer.Clear();
                _overlong = false;
            }
            else if (!_overlong)
            {
                if (_buffer.Count >= MaxLineLength)
                {
                    _overlong = true;
                    _buffer.Clear();
                }
                else
                {
                    _buffer.Add(b);
                }
            }
        }
        return lines;
    }

    private static SerialLine? ParseLine(List<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is (< 0x20 or > 0x7E) and not (byte)'\r' and not (byte)'\t')
            {
                return new SerialLine(Printable(bytes), Error: "non-text bytes");
            }
        }
        return Parse(Encoding.ASCII.GetString(bytes.ToArray()));
    }

    /// <summary>Parses one line of text; null for lines that are skipped silently.</summary>
    public static SerialLine? Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0 || trimmed.StartsWith('#'))
        {
            return null;
        }
        var parts = trimmed.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 3)
        {
            return new SerialLine(trimmed, Error: "too many fields");
        }
        if (!PressTypes.TryParse(parts[0], out var type))
        {
            return new SerialLine(trimmed, Error: "unknown press type (expected G or R)");
        }
        string? button = null;
        if (parts.Length >= 2)
        {
            button = parts[1];
            if (button.Length > 32 || !button.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return new SerialLine(trimmed, Error: "bad button id");
            }
        }
        uint? sequence = null;
        if (parts.Length == 3)
        {
            if (!uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            {
                return new SerialLine(trimmed, Error: "bad sequence number");
            }
            sequence = seq;
        }
        return new SerialLine(trimmed, type, button, sequence);
    }

    private static string Printable(List<byte> bytes)
    {
        var sb = new StringBuilder();
        foreach (var b in bytes.Take(40))
        {
            sb.Append(b is >= 0x20 and <= 0x7E ? (char)b : '.');
        }
        return sb.ToString();
    }
}
