using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Testimonials;

/// <summary>
/// Praise a customer allowed to publish (<see cref="Feedback.Feedback.TestimonialConsent"/>) that a manager approved.
/// Its id is the feedback's id; removing it unpublishes the words, the feedback stays.
/// </summary>
public sealed class Testimonial : ILocationOwned
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid LocationId { get; set; }
    /// <summary>The customer's words as published (their feedback text at approval).</summary>
    public required string Text { get; set; }
    /// <summary>The first name shown under the words, if the customer gave one with consent.</summary>
    public string? AuthorName { get; set; }
    /// <summary>When the customer wrote it.</summary>
    public DateTimeOffset WrittenAt { get; set; }
    public DateTimeOffset ApprovedAt { get; set; }
    public Guid? ApprovedByUserId { get; set; }
}

/// <summary>A testimonial was approved or withdrawn at a location: waiting-room screens refresh.</summary>
public sealed record TestimonialsChanged(Guid OrganizationId, Guid LocationId);

/// <summary>In-process fan-out of <see cref="TestimonialsChanged"/> to open screens (same pattern as the live notifier).</summary>
public sealed class TestimonialSignal(ILogger<TestimonialSignal> log)
{
    private readonly Lock _gate = new();
    private Func<TestimonialsChanged, Task>[] _handlers = [];

    public IDisposable Subscribe(Func<TestimonialsChanged, Task> handler)
    {
        lock (_gate) _handlers = [.. _handlers, handler];
        return new Unsubscribe(() => { lock (_gate) _handlers = _handlers.Where(h => h != handler).ToArray(); });
    }

    public async Task PublishAsync(TestimonialsChanged changed)
    {
        foreach (var handler in _handlers)
        {
            try { await handler(changed); }
            catch (Exception e) { log.LogWarning(e, "A testimonials subscriber failed"); }
        }
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        private Action? _action = action;
        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }
}
