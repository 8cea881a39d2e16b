from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from accounts.start_pages import Panel, register_panel
        from assessments.panels import assessor_cases, manager_applications, partner_pipeline
        from assessments.services import workflow

        del workflow  # imported to register the application and assignment workflows

        register_panel(Panel("manager", "assessments/panels/manager_applications.html", manager_applications, 20))
        register_panel(Panel("assessor", "assessments/panels/assessor_cases.html", assessor_cases, 10))
        register_panel(Panel("partner", "assessments/panels/partner_pipeline.html", partner_pipeline, 15))
