using Otklik.Web.Tests.Infrastructure;

namespace Otklik.Web.Tests.Features.Cards;

public sealed class QrRoundTripTests
{
    [Fact]
    public void FeedbackUrls_OfManyShapes_DecodeBackExactly()
    {
        var random = new Random(7);
        var failed = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var slug = "zerno-" + new string(Enumerable.Range(0, random.Next(3, 20)).Select(_ => (char)('a' + random.Next(26))).ToArray()) + "-" + random.Next(0x100000, 0xffffff).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
            var url = $"http://127.0.0.1:{random.Next(30000, 60000)}/f/{slug}";
            if (QrDecoding.DecodePng(Otklik.Web.Features.Cards.Cards.QrPng(url)) != url) failed.Add(url);
        }
        Assert.True(failed.Count == 0, $"{failed.Count} of 300 did not decode: {string.Join(" ", failed.Take(5))}");
    }
}
