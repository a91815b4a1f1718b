"""Hooks the action plan into navigation, the dashboard and the digest (called from
CoproductionConfig.ready)."""


def register() -> None:
    from coproduction import dashboard, navigation
    from coproduction.notifications import digest
    from coproduction.strategy import panels

    navigation.register("Action plan", "strategy:plan", roles={"coordinator", "peer_researcher", "analyst"}, order=50)
    dashboard.register_panel(
        "strategy/includes/_panel_coordinator.html", context=panels.coordinator_panel, roles={"coordinator"}, order=30
    )
    dashboard.register_panel("strategy/includes/_panel_peer.html", context=panels.peer_panel, roles={"peer_researcher"}, order=30)
    digest.register_digest_section(panels.digest_section)
