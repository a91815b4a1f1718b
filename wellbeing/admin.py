"""Operations only: providers, training modules and records, and each project's policy.

Nothing about a person's support is registered: not sessions (who sees a psychotherapist is
itself wellbeing data), not check-ins (who asked for support), not supervision notes or
reflections. Coordinators see bookings and alerts in the app, scoped to their project."""

from django.contrib import admin

from wellbeing.models import Provider, SupportPolicy, TrainingCompletion, TrainingModule


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
