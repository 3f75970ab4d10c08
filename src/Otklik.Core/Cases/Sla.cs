namespace Otklik.Core.Cases;

/// <summary>
/// Per-organization SLA: how long a case may stay open, by qualification. A <see langword="null"/> entry means no deadline.
/// </summary>
/// <param name="Unqualified">Deadline for a case that has not been qualified yet (time to qualify).</param>
/// <param name="NotWorthAttention">Deadline for <see cref="CaseQualification.NotWorthAttention"/>.</param>
/// <param name="NeedsReaction">Deadline for <see cref="CaseQualification.NeedsReaction"/>.</param>
/// <param name="ConsumerTerrorism">Deadline for <see cref="CaseQualification.ConsumerTerrorism"/>.</param>
public sealed record SlaTable(TimeSpan? Unqualified, TimeSpan? NotWorthAttention, TimeSpan? NeedsReaction, TimeSpan? ConsumerTerrorism)
{
    /// <summary>The allowed time for a qualification, or <see langword="null"/> when there is no deadline.</summary>
    /// <param name="qualification">The case's qualification, or <see langword="null"/> when not qualified yet.</param>
    /// <exception cref="ArgumentOutOfRangeException">Unknown qualification.</exception>
    public TimeSpan? For(CaseQualification? qualification) => qualification switch
    {
        null => Unqualified,
        CaseQualification.NotWorthAttention => NotWorthAttention,
        CaseQualification.NeedsReaction => NeedsReaction,
        CaseQualification.ConsumerTerrorism => ConsumerTerrorism,
        _ => throw new ArgumentOutOfRangeException(nameof(qualification)),
    };
}

/// <summary>The deadline of one case.</summary>
/// <param name="DueAt">When the case must be handled, or <see langword="null"/> when the SLA sets no deadline.</param>
public readonly record struct SlaDeadline(DateTimeOffset? DueAt)
{
    /// <summary>True when there is a deadline and <paramref name="now"/> is past it. The caller asks only for open cases.</summary>
    /// <param name="now">Current time (from the caller's clock).</param>
    public bool IsOverdue(DateTimeOffset now) => DueAt is { } due && now > due;

    /// <summary>Time left until the deadline (negative when overdue), or <see langword="null"/> without a deadline.</summary>
    /// <param name="now">Current time.</param>
    public TimeSpan? Remaining(DateTimeOffset now) => DueAt - now;
}

/// <summary>SLA due-time computation. Deadlines run in calendar time from creation.</summary>
public static class CaseSla
{
    /// <summary>Computes a case's deadline: created time + the SLA table's time for its qualification.</summary>
    /// <param name="createdAt">When the case was created.</param>
    /// <param name="qualification">Its qualification, or <see langword="null"/> when not qualified yet.</param>
    /// <param name="table">The organization's SLA table.</param>
    /// <exception cref="ArgumentOutOfRangeException">The table has a negative time for this qualification.</exception>
    public static SlaDeadline Due(DateTimeOffset createdAt, CaseQualification? qualification, SlaTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var allowed = table.For(qualification);
        if (allowed is null)
        {
            return new SlaDeadline(null);
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(allowed.Value, TimeSpan.Zero, nameof(table));
        return new SlaDeadline(createdAt + allowed.Value);
    }
}
