from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from common import selectors
        from common.workflow import guard_install

        # Importing it registers the unread count with the person's other reads (common.person_reads).
        del selectors
        guard_install()
