using Otklik.Web.Features.Reasons;

namespace Otklik.Web.Tests.Features.Reasons;

/// <summary>Where a dragged reason lands among its siblings.</summary>
public sealed class DropOrderTests
{
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid(), C = Guid.NewGuid(), D = Guid.NewGuid();

    [Fact]
    public void DraggingUp_PutsItBeforeTheTarget() => Assert.Equal([A, D, B, C], ReasonTree.DropOrder([A, B, C, D], D, B));

    [Fact]
    public void DraggingDown_PutsItAfterTheTarget() => Assert.Equal([B, C, A, D], ReasonTree.DropOrder([A, B, C, D], A, C));

    [Fact]
    public void NeighboursSwap() => Assert.Equal([B, A], ReasonTree.DropOrder([A, B], B, A));

    [Fact]
    public void OnItself_OrOnANonSibling_NothingChanges()
    {
        Assert.Null(ReasonTree.DropOrder([A, B], A, A));
        Assert.Null(ReasonTree.DropOrder([A, B], A, C));
        Assert.Null(ReasonTree.DropOrder([A, B], C, A));
    }
}
