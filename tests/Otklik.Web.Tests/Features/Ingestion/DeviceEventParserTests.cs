using System.Text;
using Otklik.Web.Features.Buttons;
using Otklik.Web.Features.Ingestion;

namespace Otklik.Web.Tests.Features.Ingestion;

public sealed class DeviceEventParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static ParsedEvents Parse(string json) => DeviceEventParser.Parse(Encoding.UTF8.GetBytes(json), Now);

    [Fact]
    public void Parse_OneEvent_ReadsIdTypeAndTime()
    {
        var id = Guid.NewGuid();
        var parsed = Parse($$"""{"id":"{{id}}","type":"red","at":"2026-11-27T14:05:09+03:00"}""");

        Assert.True(parsed.IsValid);
        Assert.Equal(new DeviceEvent(id, PressType.Red, new DateTimeOffset(2026, 11, 27, 11, 5, 9, TimeSpan.Zero)), Assert.Single(parsed.Events));
    }

    [Theory]
    [InlineData("2026-11-27T11:59:00Z")]
    [InlineData("2026-11-27T11:59:00.123Z")]
    [InlineData("2026-11-27T14:59:00.1234567+03:00")]
    public void Parse_AcceptsIsoTimesWithAnOffset(string at)
    {
        Assert.True(Parse($$"""{"id":"{{Guid.NewGuid()}}","type":"green","at":"{{at}}"}""").IsValid);
    }

    [Theory]
    [InlineData("2026-11-27T11:59:00")]
    [InlineData("27.11.2026 11:59")]
    [InlineData("2026-11-27")]
    [InlineData("2026-11-27T12:06:00Z")]
    [InlineData("2026-08-01T12:00:00Z")]
    public void Parse_RefusesTimesWithoutOffsetInTheFutureOrTooOld(string at)
    {
        var parsed = Parse($$"""{"id":"{{Guid.NewGuid()}}","type":"green","at":"{{at}}"}""");

        Assert.False(parsed.IsValid);
        Assert.Equal("at", Assert.Single(parsed.Errors).Field);
    }

    [Fact]
    public void Parse_ABatch_NamesEveryBadEvent()
    {
        var good = $$"""{"id":"{{Guid.NewGuid()}}","type":"green","at":"2026-11-27T11:00:00Z"}""";
        var parsed = Parse($$"""{"events":[{{good}},{"id":"x","type":"blue","at":"soon"},{{good}},42]}""");

        Assert.False(parsed.IsValid);
        Assert.Equal([(1, "id"), (1, "type"), (1, "at"), (3, "event")], parsed.Errors.Select(e => (e.Index, e.Field)));
    }

    [Fact]
    public void Parse_ClockOffset_CorrectsTheTime()
    {
        var parsed = Parse($$"""{"id":"{{Guid.NewGuid()}}","type":"green","at":"2026-11-27T10:00:00Z","clockOffsetMs":3600000}""");

        Assert.Equal(new DateTimeOffset(2026, 11, 27, 11, 0, 0, TimeSpan.Zero), Assert.Single(parsed.Events).At);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"events\":[]}")]
    [InlineData("{\"events\":{}}")]
    [InlineData("{\"id\":")]
    [InlineData("null")]
    public void Parse_MalformedBodies_AreErrors(string json)
    {
        Assert.False(Parse(json).IsValid);
        Assert.NotEmpty(Parse(json).Errors);
    }

    [Fact]
    public void Parse_TooBigABatch_IsRefused()
    {
        var one = $$"""{"id":"{{Guid.NewGuid()}}","type":"green","at":"2026-11-27T11:00:00Z"}""";
        var parsed = Parse("{\"events\":[" + string.Join(',', Enumerable.Repeat(one, DeviceEventParser.MaxBatch + 1)) + "]}");

        Assert.Equal("events", Assert.Single(parsed.Errors).Field);
    }
}
