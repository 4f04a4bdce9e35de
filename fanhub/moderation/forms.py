"""The shapes of the moderation forms: a flag, a decision in the queue, an appeal."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from fanhub.forms import AttachableForm, WholeNumberField
from fanhub.inputs import coerce_int
from fanhub.moderation.models import (
    APPEAL_MAX,
    FLAG_NOTE_MAX,
    REASON_MAX,
    Decision,
    FlagReason,
    ModerationRule,
)
from fanhub.moderation.services import (
    ITEM_DECISIONS,
    MAX_SUSPENSION_DAYS,
    REVIEW_DECISIONS,
    DecisionDraft,
    FlagDraft,
)

E = TypeVar("E", bound=Enum)

DECISION_CHOICES = [
    ("", "No decision about the items"),
    (Decision.DISMISS.value, "Dismiss the flags (item stays up)"),
    (Decision.HIDE.value, "Hide (reversible)"),
    (Decision.REMOVE.value, "Remove (reversible)"),
    (Decision.RESTORE.value, "Restore"),
    (Decision.LOCK.value, "Lock the topic"),
    (Decision.APPROVE.value, "Approve (waiting items)"),
    (Decision.REJECT.value, "Reject (waiting items)"),
]
SANCTION_CHOICES = [
    ("", "No action on the authors"),
    (Decision.SUSPEND.value, "Suspend the authors for…"),
    (Decision.BAN.value, "Ban the authors (days empty: for good)"),
    (Decision.LIFT.value, "Lift a suspension or ban"),
]
# Every decision the services know has its choice here (checked by the tests).
DECISION_VALUES = frozenset(d.value for d in ITEM_DECISIONS + REVIEW_DECISIONS)


class FlagForm(AttachableForm):
    reason = RadioField(
        "What is wrong with it?",
        choices=[SelectChoice(reason.value, reason.label) for reason in FlagReason],
        validators=[DataRequired("Choose what is wrong with it.")],
    )
    note = TextAreaField(
        "Note for the moderators",
        validators=[Optional(), Length(max=FLAG_NOTE_MAX)],
        description="Required for “something else”; optional otherwise.",
        render_kw={"maxlength": FLAG_NOTE_MAX, "rows": 3},
    )

    def to_draft(self) -> FlagDraft:
        return FlagDraft(FlagReason(self.reason.data), self.note.data or "")


class DecisionForm(AttachableForm):
    items = SelectMultipleField("Items", choices=[], validate_choice=False)
    decision = SelectField(
        "Decision", choices=[SelectChoice(*c) for c in DECISION_CHOICES], validate_choice=False
    )
    rule = SelectField(
        "Rule",
        choices=[SelectChoice("", "Which rule? (told to the member)")]
        + [SelectChoice(rule.value, rule.label) for rule in ModerationRule],
        validate_choice=False,
    )
    reason = StringField(
        "Why",
        validators=[Optional(), Length(max=REASON_MAX)],
        render_kw={"maxlength": REASON_MAX, "placeholder": "Why (told to the member and logged)"},
    )
    sanction = SelectField(
        "Authors", choices=[SelectChoice(*c) for c in SANCTION_CHOICES], validate_choice=False
    )
    days = WholeNumberField(
        "Days",
        validators=[Optional(), NumberRange(min=1, max=MAX_SUSPENSION_DAYS)],
        render_kw={"min": 1, "max": MAX_SUSPENSION_DAYS, "inputmode": "numeric"},
    )

    def to_draft(self) -> DecisionDraft:
        def pick(enum_cls: type[E], value: str | None) -> E | None:
            try:
                return enum_cls(value) if value else None
            except ValueError:
                return None

        return DecisionDraft(
            decision=pick(Decision, self.decision.data),
            rule=pick(ModerationRule, self.rule.data),
            reason=self.reason.data or "",
            sanction=pick(Decision, self.sanction.data),
            days=self.days.data,
        )


class SanctionForm(DecisionForm):
    """An admin's suspension or ban from a member's page (no items)."""


class TrustForm(AttachableForm):
    """A change of a member's trust level by hand, from her page."""

    level = SelectField(
        "Trust level",
        choices=[
            SelectChoice(0, "0: new member (limits, may wait for approval)"),
            SelectChoice(1, "1: member"),
            SelectChoice(2, "2: regular"),
            SelectChoice(3, "3: leader"),
            SelectChoice(4, "4: trusted by the site"),
        ],
        coerce=coerce_int,
    )
    reason = StringField(
        "Reason (for the log)",
        validators=[Optional(), Length(max=REASON_MAX)],
        render_kw={"maxlength": REASON_MAX},
        # The sanction form on the same page has its own "reason": ids must differ.
        id="trust-reason",
    )

    def offer_team_levels(self) -> None:
        """Offer only what a brand's team may set (levels 0 and 1); the service checks."""
        self.level.choices = [c for c in self.level.choices if c.value in (0, 1)]


class AppealForm(AttachableForm):
    body = TextAreaField(
        "Why should the moderators look again?",
        validators=[DataRequired("Tell the moderators why."), Length(max=APPEAL_MAX)],
        render_kw={"maxlength": APPEAL_MAX, "rows": 5},
    )
