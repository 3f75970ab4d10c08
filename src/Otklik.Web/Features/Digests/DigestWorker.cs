using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using MimeKit;
using Otklik.Core.Reports;
using CoreDigests = Otklik.Core.Reports.Digests;
using Otklik.Web.Data;
using Otklik.Web.Features.Alerts;
using Otklik.Web.Features.Cluster;
using Otklik.Web.Features.Reports;
using Otklik.Web.Localization;
using Otklik.Web.Tenancy;

namespace Otklik.Web.Features.Digests;

public sealed class DigestOptions
{
    public const string Section = "Otklik:Digests";

    /// <summary>How often due digests are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Local hour (organization's time zone) from which the last complete period's digests go out.</summary>
    [Range(0, 23)]
    public int SendHour { get; set; } = 7;

    /// <summary>A claim older than this (a node that died while sending) may be taken over.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Sends of one digest before it is given up.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 10;
}

/// <summary>
/// Sends the digest e-mails (with the PDF) once the organization's local time reaches <see cref="DigestOptions.SendHour"/>:
/// for each subscription, the last complete day, ISO week or calendar month. A <see cref="DigestDelivery"/> row, unique per
/// person, frequency and period, is inserted before sending, so a period goes out once even with several nodes; a failed send
/// releases the claim and the next round tries again. The digest is built as the person (their role and locations).
/// </summary>
public sealed class DigestWorker(IServiceScopeFactory scopes, IOptions<DigestOptions> options, IOptions<SmtpOptions> smtp, TimeProvider time,
    ILogger<DigestWorker> log, IClusterLease? lease = null) : PeriodicWorker(time, log, lease)
{
    protected override TimeSpan Interval => options.Value.CheckInterval;

    protected override string FailureMessage => "Sending digests failed";

    protected override Task RunRoundAsync(CancellationToken ct) => RunOnceAsync(ct);

    private sealed record Due(Guid OrganizationId, Guid UserId, OtklikRole Role, string Email, string Language, DigestFrequency Frequency, DigestPeriod Period);

    /// <summary>Sends every due digest; returns how many went out.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        var sendAt = new TimeOnly(options.Value.SendHour, 0);
        var due = new List<Due>();
        await using (var scope = scopes.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
            var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
            var subscriptions = await (from s in db.DigestSubscriptions.AsNoTracking()
                                       join u in db.Users.AsNoTracking() on s.UserId equals u.Id
                                       join o in db.Organizations.AsNoTracking() on s.OrganizationId equals o.Id
                                       where s.Frequency != DigestFrequency.None && u.OrganizationId == s.OrganizationId
                                       select new { s.OrganizationId, s.UserId, u.Role, s.Email, UserEmail = u.Email, u.Language, OrgLanguage = o.Language, o.TimeZone, s.Frequency })
                .ToListAsync(ct);
            foreach (var s in subscriptions)
            {
                if (CoreDigests.Due(s.Frequency, now, ButtonStats.Zone(s.TimeZone), sendAt) is not { } period) continue;
                var email = string.IsNullOrWhiteSpace(s.Email) ? s.UserEmail : s.Email;
                if (string.IsNullOrWhiteSpace(email)) continue;
                due.Add(new Due(s.OrganizationId, s.UserId, s.Role, email, s.Language ?? s.OrgLanguage, s.Frequency, period));
            }
            // Most rounds of the day find every due period already sent: one query instead of one per person.
            if (due.Count > 0)
            {
                var users = due.Select(d => d.UserId).Distinct().ToList();
                var since = due.Min(d => d.Period.From);
                var sentAlready = (await db.DigestDeliveries.AsNoTracking()
                        .Where(x => x.SentAt != null && x.PeriodStart >= since && users.Contains(x.UserId))
                        .Select(x => new { x.UserId, x.Frequency, x.PeriodStart }).ToListAsync(ct))
                    .Select(x => (x.UserId, x.Frequency, x.PeriodStart)).ToHashSet();
                due.RemoveAll(d => sentAlready.Contains((d.UserId, d.Frequency, d.Period.From)));
            }
        }
        var sent = 0;
        foreach (var d in due)
        {
            ct.ThrowIfCancellationRequested();
            if (await ClaimAsync(d, now, ct) is not { } deliveryId) continue;
            string? error = null;
            try
            {
                await SendAsync(d, ct);
                sent++;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                error = e.Message.Length > Limits.Text ? e.Message[..(Limits.Text - 1)] + "…" : e.Message;
                log.LogWarning(e, "The {Frequency} digest for user {User} could not be sent; trying again at the next round", d.Frequency, d.UserId);
            }
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
            var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
            var at = Time.GetUtcNow();
            if (error is null)
                await db.DigestDeliveries.Where(x => x.Id == deliveryId)
                    .ExecuteUpdateAsync(u => u.SetProperty(x => x.SentAt, at).SetProperty(x => x.Error, (string?)null), CancellationToken.None);
            else
                await db.DigestDeliveries.Where(x => x.Id == deliveryId)
                    .ExecuteUpdateAsync(u => u.SetProperty(x => x.ClaimedAt, (DateTimeOffset?)null).SetProperty(x => x.Error, error), CancellationToken.None);
        }
        return sent;
    }

    /// <summary>Takes the send of one period on: a new row, or a failed / abandoned one; null when it is sent, given up or another node has it.</summary>
    private async Task<Guid?> ClaimAsync(Due d, DateTimeOffset now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var existing = await db.DigestDeliveries.AsNoTracking()
            .Where(x => x.UserId == d.UserId && x.Frequency == d.Frequency && x.PeriodStart == d.Period.From)
            .Select(x => new { x.Id, x.SentAt, x.Attempts }).FirstOrDefaultAsync(ct);
        if (existing is null)
        {
            var row = new DigestDelivery
            {
                OrganizationId = d.OrganizationId, UserId = d.UserId, Frequency = d.Frequency, PeriodStart = d.Period.From, PeriodEnd = d.Period.To,
                Email = d.Email, ClaimedAt = now, Attempts = 1,
            };
            db.DigestDeliveries.Add(row);
            try
            {
                await db.SaveChangesAsync(ct);
                return row.Id;
            }
            catch (DbUpdateException)
            {
                return null; // another node inserted the same period first
            }
        }
        if (existing.SentAt is not null || existing.Attempts >= options.Value.MaxAttempts) return null;
        var stale = now - options.Value.ClaimTimeout;
        var taken = await db.DigestDeliveries
            .Where(x => x.Id == existing.Id && x.SentAt == null && x.Attempts == existing.Attempts && (x.ClaimedAt == null || x.ClaimedAt < stale))
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.ClaimedAt, now).SetProperty(x => x.Attempts, x => x.Attempts + 1).SetProperty(x => x.Email, d.Email), ct);
        return taken == 1 ? existing.Id : null;
    }

    private async Task SendAsync(Due d, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TenantResolver>().ApplyUserAsync(d.OrganizationId, d.Role, d.UserId, ct);
        var db = scope.ServiceProvider.GetRequiredService<OtklikDb>();
        var L = scope.ServiceProvider.GetRequiredService<IStringLocalizer<Ui>>();
        var report = await DigestBuilder.BuildAsync(db, d.Period, null, d.Language, ct);
        var pdf = DigestPdf.Render(report, L);
        using var mail = DigestText.In(d.Language, () => Message(report, L, d.Email, pdf));
        await EmailSender.SendAsync(smtp.Value, mail, ct);
    }

    /// <summary>The e-mail: the totals and each location's changes as text, the PDF attached.</summary>
    public static MimeMessage Message(DigestReport report, IStringLocalizer<Ui> L, string to, byte[] pdf)
    {
        var text = new StringBuilder();
        text.AppendLine(DigestText.Title(L, report));
        text.AppendLine(DigestText.Subtitle(L, report));
        var sections = report.Locations.Count == 1 ? report.Locations : [report.Total with { Name = L["All locations"] }, .. report.Locations];
        foreach (var section in sections)
        {
            text.AppendLine();
            text.AppendLine(section.Name);
            foreach (var line in DigestText.Lines(L, section))
                text.AppendLine(CultureInfo.CurrentCulture, $"  {line.Metric}: {line.Value} ({line.Change})");
            text.AppendLine(CultureInfo.CurrentCulture, $"  {L["Top complaint causes"]}: {DigestText.Causes(L, section)}");
        }
        text.AppendLine();
        if (DigestText.NoiseNote(L, sections) is { } note) text.AppendLine(note);
        text.AppendLine(L["The PDF with every table is attached."]);
        var body = new BodyBuilder { TextBody = text.ToString() };
        body.Attachments.Add(DigestsApi.FileName(report.Period.From, report.Period.To), pdf, new ContentType("application", "pdf"));
        var mail = new MimeMessage { Subject = $"{DigestText.Title(L, report)} · {DigestText.Period(report.Period)}", Body = body.ToMessageBody() };
        mail.To.Add(MailboxAddress.Parse(to));
        return mail;
    }
}
