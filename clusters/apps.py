from django.apps import AppConfig


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = "Cluster organisations"

    def ready(self) -> None:
        from clusters import start_pages

        start_pages.register_clusters_pages()
