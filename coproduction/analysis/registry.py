"""Hooks the analysis area into navigation, the demo and Celery (called from AppConfig.ready)."""


def register() -> None:
    from coproduction import demo, navigation
    from coproduction.analysis import demo_data, tasks  # noqa: F401 — registers the Celery tasks

    navigation.register("Themes", "analysis:themes", roles={"coordinator", "analyst", "peer_researcher"}, order=40)
    navigation.register("Coding", "analysis:documents", roles={"coordinator", "analyst", "peer_researcher"}, order=41)
    navigation.register("Theme × cohort", "analysis:matrix", roles={"coordinator", "analyst"}, order=42)
    navigation.register("Exports", "analysis:export", roles={"coordinator", "analyst"}, order=43)
    demo.register_step(60, demo_data.seed_codebook)
