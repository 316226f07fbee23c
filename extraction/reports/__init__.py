"""Reports from the review's own data: the typology of the included studies, summary sentences and charts."""
