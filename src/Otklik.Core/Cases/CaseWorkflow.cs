namespace Otklik.Core.Cases;

/// <summary>Status of a complaint case.</summary>
public enum CaseStatus
{
    /// <summary>Just created, not yet looked at.</summary>
    New,

    /// <summary>A manager has qualified it (see <see cref="CaseQualification"/>).</summary>
    Qualified,

    /// <summary>Someone is working on it.</summary>
    InProgress,

    /// <summary>A resolution was given; can be reopened.</summary>
    Resolved,

    /// <summary>Final: resolved and confirmed.</summary>
    Closed,

    /// <summary>Final: not acted upon.</summary>
    Dismissed,
}

/// <summary>How a manager qualified a case.</summary>
public enum CaseQualification
{
    /// <summary>Not worth attention.</summary>
    NotWorthAttention,

    /// <summary>A real problem that needs a reaction.</summary>
    NeedsReaction,

    /// <summary>Bad-faith complaint; its red presses are excluded from staff bonuses by the caller.</summary>
    ConsumerTerrorism,
}

/// <summary>One allowed status change.</summary>
/// <param name="From">Status before.</param>
/// <param name="To">Status after.</param>
public readonly record struct CaseTransition(CaseStatus From, CaseStatus To);

/// <summary>
/// The case state machine: New → Qualified → InProgress → Resolved → Closed; Dismissed from New, Qualified or
/// InProgress; Resolved → InProgress reopens. Staying in the same status is not a transition.
/// </summary>
public static class CaseWorkflow
{
    /// <summary>Every allowed transition; anything not listed is forbidden.</summary>
    public static IReadOnlyList<CaseTransition> AllowedTransitions { get; } =
    [
        new(CaseStatus.New, CaseStatus.Qualified),
        new(CaseStatus.Qualified, CaseStatus.InProgress),
        new(CaseStatus.InProgress, CaseStatus.Resolved),
        new(CaseStatus.Resolved, CaseStatus.Closed),
        new(CaseStatus.Resolved, CaseStatus.InProgress),
        new(CaseStatus.New, CaseStatus.Dismissed),
        new(CaseStatus.Qualified, CaseStatus.Dismissed),
        new(CaseStatus.InProgress, CaseStatus.Dismissed),
    ];

    private static readonly HashSet<CaseTransition> Allowed = [.. AllowedTransitions];

    /// <summary>True when <paramref name="from"/> → <paramref name="to"/> is an allowed transition.</summary>
    /// <param name="from">Current status.</param>
    /// <param name="to">Requested status.</param>
    public static bool CanTransition(CaseStatus from, CaseStatus to) => Allowed.Contains(new CaseTransition(from, to));

    /// <summary>Checks a transition and explains a refusal.</summary>
    /// <param name="from">Current status.</param>
    /// <param name="to">Requested status.</param>
    /// <param name="error">Why the transition is refused, or <see langword="null"/> when it is allowed.</param>
    /// <returns>True when allowed.</returns>
    public static bool TryTransition(CaseStatus from, CaseStatus to, out string? error)
    {
        if (!Enum.IsDefined(from) || !Enum.IsDefined(to))
        {
            error = "Unknown case status.";
            return false;
        }

        if (CanTransition(from, to))
        {
            error = null;
            return true;
        }

        error = from == to
            ? $"The case is already {from}."
            : IsFinal(from)
                ? $"A {from} case cannot change status."
                : $"A case cannot go from {from} to {to}; allowed: {string.Join(", ", NextStatuses(from))}.";
        return false;
    }

    /// <summary>Statuses reachable from <paramref name="from"/> in one step.</summary>
    /// <param name="from">Current status.</param>
    public static IReadOnlyList<CaseStatus> NextStatuses(CaseStatus from) =>
        AllowedTransitions.Where(t => t.From == from).Select(t => t.To).ToList();

    /// <summary>True for Closed and Dismissed, which have no way out.</summary>
    /// <param name="status">A status.</param>
    public static bool IsFinal(CaseStatus status) => status is CaseStatus.Closed or CaseStatus.Dismissed;

    /// <summary>True while somebody still owes the customer something (New, Qualified, InProgress); SLA clocks run only then.</summary>
    /// <param name="status">A status.</param>
    public static bool IsOpen(CaseStatus status) => status is CaseStatus.New or CaseStatus.Qualified or CaseStatus.InProgress;
}

/// <summary>Rules about how a case's qualification affects the numbers.</summary>
public static class CaseQualifications
{
    /// <summary>
    /// True for a deliberate abuser ("consumer terrorism"): such a case, and the feedback or red press behind it, must not
    /// count against the staff in their metrics and bonuses.
    /// </summary>
    /// <param name="qualification">The case's qualification, or <see langword="null"/> when not qualified yet.</param>
    public static bool ExcludedFromStaffMetrics(CaseQualification? qualification) => qualification == CaseQualification.ConsumerTerrorism;
}
