using Otklik.Core.Cases;

namespace Otklik.Core.Tests.Cases;

public class CaseWorkflowTests
{
    // The specification, written independently of CaseWorkflow.AllowedTransitions.
    private static readonly HashSet<(CaseStatus, CaseStatus)> Expected =
    [
        (CaseStatus.New, CaseStatus.Qualified),
        (CaseStatus.Qualified, CaseStatus.InProgress),
        (CaseStatus.InProgress, CaseStatus.Resolved),
        (CaseStatus.Resolved, CaseStatus.Closed),
        (CaseStatus.Resolved, CaseStatus.InProgress),
        (CaseStatus.New, CaseStatus.Dismissed),
        (CaseStatus.Qualified, CaseStatus.Dismissed),
        (CaseStatus.InProgress, CaseStatus.Dismissed),
    ];

    public static TheoryData<CaseStatus, CaseStatus> AllowedPairs()
    {
        var data = new TheoryData<CaseStatus, CaseStatus>();
        foreach (var (from, to) in Expected)
        {
            data.Add(from, to);
        }

        return data;
    }

    public static TheoryData<CaseStatus, CaseStatus> ForbiddenPairs()
    {
        var data = new TheoryData<CaseStatus, CaseStatus>();
        foreach (var from in Enum.GetValues<CaseStatus>())
        {
            foreach (var to in Enum.GetValues<CaseStatus>())
            {
                if (!Expected.Contains((from, to)))
                {
                    data.Add(from, to);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllowedPairs))]
    public void Transition_Allowed_SucceedsWithoutError(CaseStatus from, CaseStatus to)
    {
        var ok = CaseWorkflow.TryTransition(from, to, out var error);

        Assert.True(ok);
        Assert.Null(error);
        Assert.True(CaseWorkflow.CanTransition(from, to));
    }

    [Theory]
    [MemberData(nameof(ForbiddenPairs))]
    public void Transition_Forbidden_FailsWithError(CaseStatus from, CaseStatus to)
    {
        var ok = CaseWorkflow.TryTransition(from, to, out var error);

        Assert.False(ok);
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.False(CaseWorkflow.CanTransition(from, to));
    }

    [Fact]
    public void AllowedTransitions_ListsExactlyTheSpecifiedOnes()
    {
        Assert.Equal(
            Expected.OrderBy(t => t.Item1).ThenBy(t => t.Item2),
            CaseWorkflow.AllowedTransitions.Select(t => (t.From, t.To)).OrderBy(t => t.From).ThenBy(t => t.To));
    }

    [Fact]
    public void Transition_FromFinalStatus_ErrorSaysItCannotChange()
    {
        CaseWorkflow.TryTransition(CaseStatus.Closed, CaseStatus.InProgress, out var error);

        Assert.Contains("cannot change", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Transition_UndefinedStatus_Fails()
    {
        Assert.False(CaseWorkflow.TryTransition((CaseStatus)99, CaseStatus.New, out _));
    }

    [Theory]
    [InlineData(CaseStatus.New, true)]
    [InlineData(CaseStatus.Qualified, true)]
    [InlineData(CaseStatus.InProgress, true)]
    [InlineData(CaseStatus.Resolved, false)]
    [InlineData(CaseStatus.Closed, false)]
    [InlineData(CaseStatus.Dismissed, false)]
    public void IsOpen_OnlyWhileSomethingIsOwed(CaseStatus status, bool open)
    {
        Assert.Equal(open, CaseWorkflow.IsOpen(status));
    }
}
