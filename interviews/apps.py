from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "interviews"

    def ready(self) -> None:
        from coproduction import navigation

        navigation.register("Interviews", "interviews:list", roles={"coordinator", "peer_researcher"}, order=10)
