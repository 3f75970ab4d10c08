using Otklik.Core.Cases;

namespace Otklik.Core.Tests.Cases;

public class SlaTests
{
    private static readonly SlaTable Table = new(
        Unqualified: TimeSpan.FromHours(2),
        NotWorthAttention: null,
        NeedsReaction: TimeSpan.FromHours(24),
        ConsumerTerrorism: TimeSpan.FromHours(72));

    private static readonly DateTimeOffset Created = new(2025, 3, 10, 9, 30, 0, TimeSpan.FromHours(3));

    [Theory]
    [InlineData(null, 2)]
    [InlineData(CaseQualification.NeedsReaction, 24)]
    [InlineData(CaseQualification.ConsumerTerrorism, 72)]
    public void Due_IsCreatedPlusSlaForQualification(CaseQualification? qualification, int hours)
    {
        var deadline = CaseSla.Due(Created, qualification, Table);

        Assert.Equal(Created.AddHours(hours), deadline.DueAt);
    }

    [Fact]
    public void Due_QualificationWithoutSla_HasNoDeadlineAndIsNeverOverdue()
    {
        var deadline = CaseSla.Due(Created, CaseQualification.NotWorthAttention, Table);

        Assert.Null(deadline.DueAt);
        Assert.False(deadline.IsOverdue(Created.AddYears(1)));
    }

    [Fact]
    public void IsOverdue_AtDueTime_IsFalse_OneTickLater_IsTrue()
    {
        var deadline = CaseSla.Due(Created, CaseQualification.NeedsReaction, Table);

        Assert.False(deadline.IsOverdue(Created.AddHours(24)));
        Assert.True(deadline.IsOverdue(Created.AddHours(24).AddTicks(1)));
        Assert.Equal(TimeSpan.FromHours(-1), deadline.Remaining(Created.AddHours(25)));
    }

    [Fact]
    public void Due_NegativeSla_Throws()
    {
        var bad = Table with { NeedsReaction = TimeSpan.FromMinutes(-1) };

        Assert.Throws<ArgumentOutOfRangeException>(() => CaseSla.Due(Created, CaseQualification.NeedsReaction, bad));
    }
}
