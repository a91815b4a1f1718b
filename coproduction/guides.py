"""Versioned question lists: the interview topic guide and the event discussion guide.

A guide is never edited: publishing makes a new version, and what was booked keeps the version
it was booked with. Both owners share the form and the publishing step here.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coproduction.models.projects import Project
from coproduction.textcheck import validate_readable_text

MAX_QUESTION_CHARACTERS = 500


class VersionedGuide(models.Model):
    """A versioned, ordered list of questions. Subclasses add `project` (with their own
    related name) and the one-version-per-project constraint."""

    label = "Guide"
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["project", "-version"]

    def __str__(self) -> str:
        return f"{self.label} v{self.version}"

    @classmethod
    def latest(cls, project: Project):
        return cls.objects.filter(project=project).order_by("-version").prefetch_related("questions").first()


class GuideQuestion(models.Model):
    """One question of a guide; subclasses add `guide` (related name "questions")."""

    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=MAX_QUESTION_CHARACTERS)

    class Meta:
        abstract = True
        ordering = ["guide", "order"]

    def __str__(self) -> str:
        return self.text


class QuestionListForm(forms.Form):
    questions = forms.CharField(
        label="Questions, one per line, in order",
        error_messages={"required": "Enter at least one question."},
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20_000,
        validators=[validate_readable_text],
    )

    def clean_questions(self) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data["questions"].splitlines()]
        questions = [line for line in lines if line]
        if not questions:
            raise forms.ValidationError("Enter at least one question.")
        if any(len(q) > MAX_QUESTION_CHARACTERS for q in questions):
            raise forms.ValidationError(f"Each question must be {MAX_QUESTION_CHARACTERS} characters or fewer.")
        return questions


def publish_questions(guide_model: type[models.Model], *, project: Project, questions: list[str]) -> models.Model:
    """Create the next version of a guide with `questions`; call inside a transaction.

    The latest version is locked so that two coordinators publishing at once get two versions,
    not one number twice. The guide model has `project` and `version`; its questions
    (`guide.questions`) have `order` and `text`.
    """
    latest = guide_model.objects.select_for_update().filter(project=project).order_by("-version").first()
    guide = guide_model.objects.create(project=project, version=(latest.version + 1) if latest else 1)
    question_model = guide_model.questions.rel.related_model
    question_model.objects.bulk_create(question_model(guide=guide, order=n, text=text) for n, text in enumerate(questions, 1))
    return guide


def guide_page(
    request,
    project: Project,
    *,
    guide_model: type[VersionedGuide],
    publish: Callable[..., VersionedGuide],
    template: str,
    url_name: str,
    used_by: str,
) -> HttpResponse:
    """The coordinator's page of a guide: the current questions in a box, publish a new version."""
    current = guide_model.latest(project)
    initial = {"questions": "\n".join(q.text for q in current.questions.all())} if current else {}
    form = QuestionListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        guide = publish(project=project, questions=form.cleaned_data["questions"], by=request.user)
        messages.success(request, f"{guide.label} version {guide.version} published. New {used_by} use it.")
        return redirect(url_name, slug=project.slug)
    return render(request, template, {"project": project, "form": form, "current": current})
