from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accounts.start_pages import Panel, register_panel
        from assessments.panels import assessor_cases, manager_applications, partner_pipeline
        from assessments.services import workflow
        from assessments.services.conflicts import membership_recheck
        from clusters.models import Membership

        del workflow  # imported to register the application and assignment workflows
        # A membership that begins after an assignment voids it (impartiality checked continuously).
        post_save.connect(membership_recheck, sender=Membership, dispatch_uid="assessments_membership_recheck")
        from assessments.structure import connect_signals

        connect_signals()  # what a process keeps of a questionnaire follows every change to it

        register_panel(Panel("manager", "assessments/panels/manager_applications.html", manager_applications, 20))
        register_panel(Panel("assessor", "assessments/panels/assessor_cases.html", assessor_cases, 10))
        register_panel(Panel("partner", "assessments/panels/partner_pipeline.html", partner_pipeline, 15, kept=True))
        # Each role's start page leads with what waits for the person ({% role_panels "queue" %}).
        from assessments.queues import work_queue_panel

        register_panel(Panel("queue", "assessments/panels/work_queue.html", work_queue_panel, 0))
