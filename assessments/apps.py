from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from accounts.start_pages import Panel, register_panel
        from assessments.panels import manager_applications

        register_panel(Panel("manager", "assessments/panels/manager_applications.html", manager_applications, 20))
