"""The shape of forum input; the rules themselves live in forums.services."""

from __future__ import annotations

from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from fanhub.errors import Invalid
from fanhub.forms import AttachableForm, IdField
from fanhub.forums.models import (
    BODY_MAX,
    CATEGORY_DESCRIPTION_MAX,
    CATEGORY_NAME_MAX,
    TITLE_MAX,
    CategoryKind,
    IdeaStatus,
)
from fanhub.forums.services import CategoryDraft, ReplyDraft, TopicDraft
from fanhub.inputs import MAX_ID, coerce_int, parse_int

BODY_HINT = (
    "Markdown works: **bold**, _italic_, lists, links, `code`, and @name to mention someone."
)


class TopicForm(AttachableForm):
    title = StringField(
        "Title",
        validators=[DataRequired(), Length(max=TITLE_MAX + 50)],
        render_kw={"maxlength": TITLE_MAX},
    )
    body = TextAreaField(
        "Your question or idea",
        validators=[DataRequired(), Length(max=BODY_MAX)],
        description=BODY_HINT,
        render_kw={"rows": 10},
    )

    def to_draft(self) -> TopicDraft:
        return TopicDraft(self.title.data or "", self.body.data or "")


class ReplyForm(AttachableForm):
    body = TextAreaField(
        "Your reply",
        validators=[DataRequired(), Length(max=BODY_MAX)],
        description=BODY_HINT,
        render_kw={"rows": 6},
    )
    # The post she pressed "reply" on; the service checks it is in this topic.
    reply_to = IdField(message="The post you replied to is not in this topic. Reload the page.")

    def to_draft(self) -> ReplyDraft:
        return ReplyDraft(self.body.data or "", self.reply_to.data)


class EditPostForm(AttachableForm):
    body = TextAreaField(
        "Text",
        validators=[DataRequired(), Length(max=BODY_MAX)],
        description=BODY_HINT,
        render_kw={"rows": 10},
    )


class CategoryForm(AttachableForm):
    slug = StringField(
        "Address",
        validators=[DataRequired(), Length(max=50)],
        description="Lower-case letters, digits and dashes: /c/<address>.",
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=CATEGORY_NAME_MAX)])
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(kind.value, kind.value.capitalize()) for kind in CategoryKind],
        validators=[DataRequired()],
    )
    description = StringField(
        "Description", validators=[Optional(), Length(max=CATEGORY_DESCRIPTION_MAX)]
    )

    def to_draft(self) -> CategoryDraft:
        return CategoryDraft(
            self.slug.data or "",
            self.name.data or "",
            CategoryKind(self.kind.data),
            self.description.data or "",
        )


class MoveTopicForm(AttachableForm):
    category = SelectField("Move to", coerce=coerce_int, validators=[DataRequired()])


class IdeaStatusForm(AttachableForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(status.value, status.label) for status in IdeaStatus],
        validators=[DataRequired()],
    )
    comment = TextAreaField(
        "Official comment",
        validators=[DataRequired(), Length(max=BODY_MAX)],
        render_kw={"rows": 4},
    )


class BulkMoveForm(AttachableForm):
    """Topics ticked on a category page, and the category they go to (the view sets the
    choices; the service checks both)."""

    topics = SelectMultipleField("Topics", choices=[], validate_choice=False)
    category = SelectField("Move the ticked topics to", validate_choice=False)

    def validate_topics(self, field: SelectMultipleField) -> None:
        try:
            for value in field.data or []:
                parse_int(value, lo=1, hi=MAX_ID)
        except Invalid:
            raise ValidationError("Tick topics from this page.") from None

    @property
    def topic_ids(self) -> list[int]:
        return [parse_int(value, lo=1, hi=MAX_ID) for value in self.topics.data or []]

    @property
    def category_id(self) -> int | None:
        try:
            return parse_int(self.category.data, lo=1, hi=MAX_ID)
        except Invalid:
            return None
