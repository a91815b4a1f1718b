from django.db import models

from coproduction.models.projects import Project


class AttributeDefinition(models.Model):
    """A coarse participant attribute the project records, e.g. "Age band" with its bands.

    Coarse on purpose: choices only, never free text, so an attribute cannot identify anyone.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attribute_definitions")
    name = models.CharField(max_length=60)
    choices = models.JSONField(default=list, help_text='e.g. ["18–24", "25–34", "35–49", "50+"]')
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["project", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="attribute_name_per_project")]

    def __str__(self) -> str:
        return self.name
