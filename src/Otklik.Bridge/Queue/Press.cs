namespace Otklik.Bridge.Queue;

public enum PressType
{
    Green,
    Red,
}

/// <summary>One button press as the agent stores and forwards it.</summary>
/// <param name="Id">Made by the agent (or the radio software) once; the server dedupes by it.</param>
/// <param name="Device">Local device name from configuration; resolved to id and token when sending.</param>
/// <param name="At">Local PC time of the press, with the local offset.</param>
/// <param name="Source">Input that produced the press, for status output.</param>
/// <param name="ClockOffsetMs">Server-minus-PC offset known when the press happened, if any.</param>
public sealed record Press(Guid Id, string Device, PressType Type, DateTimeOffset At, string Source, long? ClockOffsetMs = null);

public static class PressTypes
{
    public static string ToWire(this PressType type) => type == PressType.Green ? "green" : "red";

    public static bool TryParse(string? text, out PressType type)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "G" or "GREEN":
                type = PressType.Green;
                return true;
            case "R" or "RED":
                type = PressType.Red;
                return true;
            default:
                type = default;
                return false;
        }
    }
}
