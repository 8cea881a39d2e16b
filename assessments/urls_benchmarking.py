from django.urls import path

from assessments import views_benchmarking

app_name = "benchmarking"

urlpatterns = [
    path("a/<int:pk>/", views_benchmarking.benchmarking_detail, name="detail"),
    path("a/<int:pk>/report.pdf", views_benchmarking.benchmarking_pdf, name="pdf"),
]
