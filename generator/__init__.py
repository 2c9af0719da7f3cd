"""Model families, pipelines, the previz renderer, workers and the job queue."""
