"""Operations only. Encrypted content (check-in notes, supervision notes, reflections) is never
shown here: CheckIn excludes its note and is read-only; SupervisionNote and Reflection are not
registered at all. Sessions carry logistics only."""

from django.contrib import admin

from wellbeing.models import CheckIn, Provider, SupportPolicy, SupportSession, TrainingCompletion, TrainingModule


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "active"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["user"]


@admin.register(TrainingModule)
class TrainingModuleAdmin(admin.ModelAdmin):
    list_display = ["name"]


@admin.register(TrainingCompletion)
class TrainingCompletionAdmin(admin.ModelAdmin):
    list_display = ["user", "module", "completed_on"]
    raw_id_fields = ["user", "recorded_by"]


@admin.register(SupportPolicy)
class SupportPolicyAdmin(admin.ModelAdmin):
    list_display = ["project", "supervision_every_days", "supervision_after_interviews", "check_in_alert_threshold"]


@admin.register(SupportSession)
class SupportSessionAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "starts_at", "status"]
    list_filter = ["project", "kind", "status"]
    raw_id_fields = ["attendees", "booked_by"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    """Whether a check-in was done and an alert handled; never the score or the note."""

    list_display = ["project", "requested_at", "completed_at", "alert_raised_at", "alert_acknowledged_at"]
    fields = ["project", "person", "requested_at", "completed_at", "alert_raised_at", "alert_acknowledged_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
