using Microsoft.EntityFrameworkCore;
using Otklik.Web.Data;
using Otklik.Web.Features.Feedback;
using Otklik.Web.Infrastructure;

namespace Otklik.Web.Features.Surveys;

/// <summary>What any channel hands in: the public page, the kiosk, the interviewer's phone, the API.</summary>
/// <param name="Answers">Factor question id → score 1..5; skipped questions are simply absent.</param>
/// <param name="InvitationToken">The one-time token of an invitation link, when the page was opened from one.</param>
public sealed record SurveySubmission(
    Guid SurveyId,
    Guid LocationId,
    SurveyChannel Channel,
    bool Declined,
    int? KeyScore,
    IReadOnlyDictionary<Guid, int> Answers,
    string? Comment,
    Guid? InterviewerUserId = null,
    string? InvitationToken = null,
    string? UserAgent = null);

public sealed record SurveyIntakeResult(SurveyResponse? Response, Errors? Errors);

/// <summary>Validates and stores one response: all of it or nothing. A refusal is a response too (counted, no scores).</summary>
public sealed class SurveyIntake(OtklikDb db, TimeProvider time)
{
    public const int MaxAnswers = 50;

    public async Task<SurveyIntakeResult> SubmitAsync(SurveySubmission s, CancellationToken ct)
    {
        var errors = new Errors();
        var now = time.GetUtcNow();
        var survey = await db.Surveys.AsNoTracking().Include(x => x.Questions).Include(x => x.Locations).AsSplitQuery()
            .FirstOrDefaultAsync(x => x.Id == s.SurveyId, ct);
        if (survey is null) return new(null, errors.Add("surveyId", "No such survey."));
        errors.Check(survey.IsOpenAt(now), "surveyId", "The survey is not taking answers now.");
        errors.Check(Enum.IsDefined(s.Channel), "channel", "Use Link, Kiosk or Interviewer.");
        var locationVisible = await db.Locations.AnyAsync(l => l.Id == s.LocationId, ct);
        errors.Check(locationVisible && survey.Locations.Any(l => l.LocationId == s.LocationId), "locationId", "The survey does not run at this location.");

        var comment = string.IsNullOrWhiteSpace(s.Comment) ? null : s.Comment.Trim();
        errors.Check(comment is null || comment.Length <= Limits.LongText, "comment", $"The comment may be at most {Limits.LongText} characters.");
        var (min, max) = survey.KeyRange;
        if (s.Declined)
        {
            errors.Check(s.KeyScore is null && s.Answers.Count == 0, "declined", "A refusal carries no scores.");
        }
        else
        {
            errors.Check(s.KeyScore is { } k && k >= min && k <= max, "keyScore", $"Answer the key question with {min}..{max}.");
            errors.Check(s.Answers.Count <= MaxAnswers, "answers", "Too many answers.");
            var questions = survey.Questions.Select(q => q.Id).ToHashSet();
            foreach (var (question, score) in s.Answers)
            {
                if (!questions.Contains(question)) errors.Add($"answers[{question}]", "No such question in this survey.");
                else if (score is < 1 or > 5) errors.Add($"answers[{question}]", "Answer with 1..5.");
            }
        }

        SurveyInvitation? invitation = null;
        if (s.InvitationToken is { } token)
        {
            invitation = token.Length > 64 ? null : await db.SurveyInvitations.AsNoTracking().FirstOrDefaultAsync(i => i.Token == token, ct);
            if (invitation is null || invitation.SurveyId != survey.Id || invitation.LocationId != s.LocationId)
                errors.Add("invitation", "The invitation link is not valid.");
            else if (invitation.RespondedAt is not null)
                errors.Add("invitation", "This invitation has already been answered.");
        }
        if (errors.Any) return new(null, errors);

        var response = new SurveyResponse
        {
            OrganizationId = survey.OrganizationId, LocationId = s.LocationId, SurveyId = survey.Id, Channel = s.Channel, Declined = s.Declined,
            KeyScore = s.Declined ? null : s.KeyScore, Comment = comment, InterviewerUserId = s.InterviewerUserId, InvitationId = invitation?.Id,
            UserAgentHash = FeedbackIntake.HashUserAgent(survey.OrganizationId, s.UserAgent), CreatedAt = now,
        };
        if (!s.Declined)
            response.Answers.AddRange(s.Answers.Select(a => new SurveyAnswer { ResponseId = response.Id, QuestionId = a.Key, Score = a.Value, OrganizationId = survey.OrganizationId }));

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (invitation is not null)
        {
            // One-time: only the request whose update takes the invitation stores a response.
            var taken = await db.SurveyInvitations.Where(i => i.Id == invitation.Id && i.RespondedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.RespondedAt, now), ct);
            if (taken != 1) return new(null, errors.Add("invitation", "This invitation has already been answered."));
        }
        db.SurveyResponses.Add(response);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new(response, null);
    }
}
