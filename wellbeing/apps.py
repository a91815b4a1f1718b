from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "wellbeing"
    verbose_name = "Support"

    def ready(self) -> None:
        from coproduction import dashboard, demo, eligibility, navigation, support_offer
        from coproduction.notifications import digest
        from coproduction.payments import sources as payment_sources
        from interviews.models import Interview, ProtocolUse
        from interviews.signals import interview_completed, protocol_used
        from wellbeing import actions, offers, panels, receivers
        from wellbeing.demo import seed_check_ins, seed_support
        from wellbeing.payments import training_completions

        navigation.register("Support", "wellbeing:home", roles={"coordinator", "peer_researcher", "supervisor"}, order=30)
        navigation.register("My reflections", "wellbeing:reflections", roles={"peer_researcher"}, order=35)
        navigation.register("Training", "wellbeing:training", roles={"coordinator", "peer_researcher"}, order=40)

        dashboard.register_panel("wellbeing/panels/_alerts.html", context=panels.open_alerts, roles={"coordinator"}, order=10)
        dashboard.register_panel("wellbeing/panels/_due.html", context=panels.due_catch_ups, roles={"coordinator"}, order=20)
        dashboard.register_panel("wellbeing/panels/_requests.html", context=panels.open_requests, roles={"coordinator"}, order=25)
        dashboard.register_panel(
            "wellbeing/panels/_check_ins.html", context=panels.my_check_ins, roles={"peer_researcher"}, order=10
        )
        dashboard.register_panel(
            "wellbeing/panels/_my_sessions.html", context=panels.my_sessions, roles={"peer_researcher", "supervisor"}, order=20
        )

        dashboard.register_panel(
            "wellbeing/panels/_training_needed.html", context=panels.training_needed, roles={"peer_researcher"}, order=5
        )
        dashboard.register_panel(
            "wellbeing/panels/_to_write_up.html", context=panels.sessions_to_write_up, roles={"supervisor"}, order=10
        )
        digest.register_digest_section(panels.digest_lines)
        eligibility.register_interviewer_check(actions.training_problems)
        support_offer.register_support(offers.support_offered)
        support_offer.register_training(offers.training_offered)
        # Training completions only: support sessions are never paid activities.
        payment_sources.register_source(training_completions)
        interview_completed.connect(receivers.on_interview_completed, sender=Interview, dispatch_uid="wellbeing-check-in")
        protocol_used.connect(receivers.on_protocol_used, sender=ProtocolUse, dispatch_uid="wellbeing-debrief-offer")
        demo.register_step(40, seed_support)
        demo.register_step(310, seed_check_ins)  # after the interviews (300)
