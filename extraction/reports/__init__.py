"""Reports drawn from a review's data: the PRISMA 2020 flow diagram, typology and summaries."""
