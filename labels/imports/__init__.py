"""The import of legacy labels: the CSV parser, the import service, the upload jobs."""
