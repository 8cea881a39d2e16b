from django.apps import AppConfig


class LabelsConfig(AppConfig):
    name = "labels"
    verbose_name = "Labels"

    def ready(self) -> None:
        from labels import start_pages

        start_pages.register_labels_pages()
