from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "wellbeing"

    def ready(self) -> None:
        from coproduction import navigation

        navigation.register("Support", "wellbeing:home", roles={"coordinator", "peer_researcher", "supervisor"}, order=30)
