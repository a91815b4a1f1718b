from django.db import models

from coproduction.models.projects import Project


class Venue(models.Model):
    """Where interviews and events happen: a hub, a hall, the phone, online.

    Shared by interviews and community events, so it lives in the core. It began in
    `interviews` and keeps that table: moving it was a change of state, not of data.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="venues")
    name = models.CharField(max_length=100)
    is_remote = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "interviews_venue"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="venue_name_per_project")]

    def __str__(self) -> str:
        return self.name
