from django.apps import AppConfig


class CoproductionConfig(AppConfig):
    name = "coproduction"
    verbose_name = "Common Ground"

    def ready(self) -> None:
        from coproduction import checks, dashboard, demo, erasure, navigation  # noqa: F401 (checks registers itself)
        from coproduction.analysis import imported_notes  # noqa: F401 - registers imported texts with the gate
        from coproduction.analysis import registry as analysis_registry
        from coproduction.engagement import notes as engagement_notes  # noqa: F401 - registers events with the gate
        from coproduction.engagement import panels as engagement_panels
        from coproduction.engagement import tasks  # noqa: F401 - registers the beat task with the worker
        from coproduction.engagement import vouchers as engagement_vouchers  # noqa: F401 - registers events as occasions
        from coproduction.engagement.demo import seed_engagement
        from coproduction.notes import panels as notes_panels
        from coproduction.notes import tasks as notes_tasks  # noqa: F401 - registers the beat task with the worker
        from coproduction.notifications import digest
        from coproduction.notifications import panels as notification_panels
        from coproduction.notifications.demo import schedule_demo_reminders
        from coproduction.payments import panels as payment_panels
        from coproduction.payments import sources as payment_sources
        from coproduction.payments.demo import seed_payments
        from coproduction.publication import follow_up
        from coproduction.publication import tasks as publication_tasks  # noqa: F401 - registers the beat task with the worker
        from coproduction.publication.demo import seed_publication
        from coproduction.signposting import panels as signposting_panels
        from coproduction.signposting import receivers as signposting_receivers  # noqa: F401 - new projects get the protocol
        from coproduction.signposting.demo import seed_signposting
        from coproduction.strategy import evidence_panels as strategy_evidence_panels
        from coproduction.strategy import registry as strategy_registry
        from coproduction.strategy.demo import seed_strategy
        from coproduction.vouchers import panels as voucher_panels
        from coproduction.vouchers.demo import seed_vouchers

        navigation.register("Dashboard", "coproduction:dashboard", order=0)
        navigation.register("Participants", "participation:list", roles={"coordinator"}, order=20)
        navigation.register("Review", "notes:review_list", roles={"coordinator"}, order=12)
        navigation.register("Events", "engagement:list", roles={"coordinator", "peer_researcher"}, order=14)
        navigation.register("Signposting", "signposting:directory", roles={"coordinator", "peer_researcher"}, order=18)
        navigation.register("Who we have heard from", "engagement:reach", roles={"coordinator", "analyst"}, order=16)
        navigation.register(
            "Strategy overview", "strategy:overview", roles={"coordinator", "analyst", "peer_researcher"}, order=30
        )
        navigation.register("My payments", "payments:mine", roles={"peer_researcher"}, order=45)
        navigation.register("Claims", "payments:claims", roles={"coordinator"}, order=45)
        navigation.register("Vouchers", "vouchers:stock", roles={"coordinator"}, order=18)
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
        dashboard.register_panel(
            "notes/includes/_panel_review.html", roles={"coordinator"}, context=notes_panels.coordinator_panel, order=10
        )
        digest.register_digest_section(notes_panels.digest_section)
        dashboard.register_panel(
            "engagement/includes/_panel_coordinator.html",
            roles={"coordinator"},
            context=engagement_panels.coordinator_panel,
            order=15,
        )
        dashboard.register_panel(
            "engagement/includes/_panel_peer.html", roles={"peer_researcher"}, context=engagement_panels.peer_panel, order=15
        )
        dashboard.register_panel(
            "engagement/includes/_panel_analyst.html", roles={"analyst"}, context=engagement_panels.analyst_panel, order=15
        )
        dashboard.register_panel(
            "signposting/includes/_panel_stale.html", roles={"coordinator"}, context=signposting_panels.stale_services, order=40
        )
        digest.register_digest_section(signposting_panels.digest_section)
        # Before interviews (300): the demo's record of the protocol's use names a demo service.
        demo.register_step(250, seed_signposting)
        # After interviews (300): the reach page then counts both.
        demo.register_step(400, seed_engagement)
        dashboard.register_panel(
            "vouchers/includes/_panel_coordinator.html",
            roles={"coordinator"},
            context=voucher_panels.coordinator_panel,
            order=17,
        )
        # After the codebook (200) and engagement (400): actions link the demo codebook's themes.
        demo.register_step(500, seed_strategy)
        demo.register_step(600, seed_publication)
        # After interviews (300), engagement (400) and training (40): claims bring in what happened.
        demo.register_step(700, seed_payments)
        demo.register_step(710, seed_vouchers)
        demo.register_step(900, schedule_demo_reminders)
        dashboard.register_panel("coproduction/includes/_panel_account.html", context=dashboard.account_protection, order=99)
        dashboard.register_panel(
            "payments/includes/_panel_coordinator.html", roles={"coordinator"}, context=payment_panels.coordinator_panel, order=30
        )
        dashboard.register_panel(
            "payments/includes/_panel_peer.html", roles={"peer_researcher"}, context=payment_panels.peer_panel, order=30
        )
        payment_sources.register_source(payment_sources.held_events)
        analysis_registry.register()
        # Withdrawal erases the contact details kept for updates (and cancels their notices).
        erasure.register_eraser(follow_up.erase_participant_follow_up_contacts)
        strategy_registry.register()
        strategy_evidence_panels.register()
