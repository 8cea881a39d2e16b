from django.apps import AppConfig


class LabelsConfig(AppConfig):
    name = "labels"
    verbose_name = "Labels"

    def ready(self) -> None:
        from accounts.start_pages import Panel, register_panel
        from assessments.providers import register_bronze_lookup, register_levels_lookup, register_renewal_lookup
        from common.workflow import effect_attach
        from labels import figures, selectors, start_pages, views_dashboard
        from labels.receivers import receivers_connect

        start_pages.register_labels_pages()
        # The registry's sort key follows an organisation's renames (labels.receivers).
        receivers_connect()
        # Importing the board registers its meetings and agenda items with the one door from the
        # start, not only once a page of the board is loaded (the runtime guard needs them).
        import labels.board  # noqa: F401

        # Silver's timing rule counts imported Bronze labels as benchmarkings too.
        register_bronze_lookup("labels", selectors.bronze_assessed_dates)
        # The benchmarking report's "same label level" peer group counts imported labels too.
        register_levels_lookup("labels", selectors.levels_held)
        # A renewal may start only inside its window (assessments.services.applications.renewal_timing_problem).
        register_renewal_lookup("labels", selectors.current_renewal_window)
        register_panel(Panel("manager", "labels/panels/manager_labels.html", selectors.manager_labels_panel, 10))
        register_panel(Panel("partner", "labels/panels/partner_expiry.html", views_dashboard.partner_expiry_panel, 10))
        # The stored figures follow organisations and decisions (the door runs this after commit).
        effect_attach("organisation", figures.figures_changed_by)
        effect_attach("application", figures.figures_changed_by)
