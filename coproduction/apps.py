from django.apps import AppConfig


class CoproductionConfig(AppConfig):
    name = "coproduction"
    verbose_name = "Common Ground"

    def ready(self) -> None:
        from coproduction import dashboard, demo, navigation
        from coproduction.analysis import registry as analysis_registry
        from coproduction.notifications import panels as notification_panels
        from coproduction.notifications.demo import schedule_demo_reminders

        navigation.register("Dashboard", "coproduction:dashboard", order=0)
        navigation.register("Participants", "participation:list", roles={"coordinator"}, order=20)
        navigation.register("Members", "coproduction:members", roles={"coordinator"}, order=80)
        navigation.register("Audit log", "coproduction:audit", roles={"coordinator"}, order=90)
        navigation.register("Undelivered messages", "notifications:failed", roles={"coordinator"}, order=96)
        navigation.register("Project settings", "coproduction:project_settings", roles={"coordinator"}, order=95)
        dashboard.register_panel(
            "coproduction/includes/_panel_invitations.html",
            roles={"coordinator"},
            context=dashboard.pending_invitations,
            order=90,
        )
        dashboard.register_panel(
            "notifications/includes/_panel_undelivered.html",
            roles={"coordinator"},
            context=notification_panels.undelivered_messages,
            order=85,
        )
        demo.register_step(900, schedule_demo_reminders)
        dashboard.register_panel("coproduction/includes/_panel_account.html", context=dashboard.account_protection, order=99)
        analysis_registry.register()
