using System.Text;
using Otklik.Bridge.Inputs;
using Otklik.Bridge.Queue;

namespace Otklik.Bridge.Tests;

public class SerialLineParserTests
{
    [Theory]
    [InlineData("G", PressType.Green, null, null)]
    [InlineData("r", PressType.Red, null, null)]
    [InlineData("GREEN 2", PressType.Green, "2", null)]
    [InlineData("R till-1 4294967295", PressType.Red, "till-1", 4294967295u)]
    [InlineData("  G\t7  12 \r", PressType.Green, "7", 12u)]
    public void Parse_ValidLine_GivesPress(string text, PressType type, string? button, uint? sequence)
    {
        var line = SerialLineParser.Parse(text);

        Assert.NotNull(line);
        Assert.True(line.IsPress);
        Assert.Equal(type, line.Type);
        Assert.Equal(button, line.Button);
        Assert.Equal(sequence, line.Sequence);
    }

    [Theory]
    [InlineData("X")]
    [InlineData("G 1 2 3")]
    [InlineData("G 1 -5")]
    [InlineData("G 1 99999999999")]
    [InlineData("G b@d")]
    [InlineData("GR")]
    public void Parse_BadLine_GivesError(string text)
    {
        var line = SerialLineParser.Parse(text);

        Assert.NotNull(line);
        Assert.False(line.IsPress);
        Assert.NotNull(line.Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("# hello from the button firmware")]
    public void Parse_EmptyOrComment_IsSkipped(string text) => Assert.Null(SerialLineParser.Parse(text));

    [Fact]
    public void Feed_LinesSplitAcrossReads_AreJoined()
    {
        var parser = new SerialLineParser();

        var first = parser.Feed("G 1 1\r\nR"u8);
        var second = parser.Feed(" 1 2\n"u8);

        Assert.Single(first);
        Assert.Equal(PressType.Green, first[0].Type);
        Assert.Single(second);
        Assert.Equal((PressType.Red, 2u), (second[0].Type!.Value, second[0].Sequence!.Value));
    }

    [Fact]
    public void Feed_BinaryNoiseAndOverlongLines_AreErrorsAndParsingRecovers()
    {
        var parser = new SerialLineParser();
        var noise = new byte[] { 0x00, 0xFF, 0x47, 0x80, 0x0A };
        var overlong = Encoding.ASCII.GetBytes(new string('G', 500) + "\n");

        var lines = parser.Feed([.. noise, .. overlong, .. "R\n"u8]);

        Assert.Equal(3, lines.Count);
        Assert.False(lines[0].IsPress);
        Assert.False(lines[1].IsPress);
        Assert.Equal(PressType.Red, lines[2].Type);
    }
}
