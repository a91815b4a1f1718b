from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "interviews"

    def ready(self) -> None:
        from coproduction import dashboard, demo, erasure, navigation
        from coproduction.engagement import reach
        from coproduction.payments import sources as payment_sources
        from coproduction.vouchers.occasions import register_occasion
        from interviews import actions, panels, receivers  # noqa: F401 - connects the signal receivers
        from interviews.demo import seed_interviews, seed_protocol_use
        from interviews.payments import completed_interviews
        from interviews.reach import interview_reach
        from interviews.vouchers import InterviewOccasion

        navigation.register("Interviews", "interviews:list", roles={"coordinator", "peer_researcher"}, order=10)
        dashboard.register_panel(
            "interviews/includes/_panel_peer.html", context=panels.peer_panel, roles={"peer_researcher"}, order=10
        )
        dashboard.register_panel(
            "interviews/includes/_panel_coordinator.html", context=panels.coordinator_panel, roles={"coordinator"}, order=10
        )
        dashboard.register_panel(
            "interviews/includes/_panel_follow_ups.html",
            context=panels.follow_up_calls,
            roles={"coordinator", "peer_researcher"},
            order=12,
        )
        erasure.register_eraser(actions.erase_participant_interviews)
        erasure.register_eraser(actions.erase_participant_protocol_uses)
        reach.register_source("Interviews", interview_reach)
        payment_sources.register_source(completed_interviews)
        register_occasion(InterviewOccasion())
        erasure.register_notes_eraser(actions.erase_participant_notes)
        # After the analysis step (200), which seeds its own corpus only when there is none.
        demo.register_step(300, seed_interviews)
        demo.register_step(310, seed_protocol_use)
