from django.apps import AppConfig


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = "Cluster organisations"

    def ready(self) -> None:
        from clusters import names, people, services, start_pages

        # Importing them registers their workflows with the door's guard.
        del names, people, services

        start_pages.register_clusters_pages()
