"""Template tags that put channel data quality on other apps' pages without those pages'
views knowing about it: the held duplicates of an upload, a partner's latest score with
what to fix, and a leaderboard cell."""

from django import template

from reporting.quality import selectors
from reporting.quality.scoring import reason_text

register = template.Library()


@register.inclusion_tag("quality/_held.html", takes_context=True)
def held_lines(context, upload, may_act=False):
    """The upload's lines held as duplicates (first 200), with the repeat confirmation."""
    held = list(selectors.held_lines_of(upload).select_related("duplicate_of")[:200])
    count = len(held) if len(held) < 200 else selectors.held_lines_of(upload).count()
    return {
        "quality": selectors.upload_quality(upload),
        "upload": upload,
        "held": held,
        "count": count,
        "may_act": may_act,
        "request": context.get("request"),
    }


@register.inclusion_tag("quality/_section.html", takes_context=True)
def quality_section(context, partner):
    """A partner's latest data-quality score, the reasons that lowered it, and a link to
    its reporting calendar (scorecard, portal)."""
    request = context.get("request")
    rows = selectors.latest_scores_for(request.user, partner, months=1) if request else []
    latest = rows[0] if rows else None
    return {
        "partner": partner,
        "latest": latest,
        "reasons": [reason_text(r) for r in latest.reasons] if latest else [],
    }


@register.inclusion_tag("quality/_score.html")
def quality_score(scores, partner_id):
    """One leaderboard cell: the score of the period's last month, reasons as a tooltip."""
    found = (scores or {}).get(partner_id)
    return {
        "score": found["score"] if found else None,
        "reasons": "; ".join(reason_text(r) for r in found["reasons"]) if found else "",
    }
