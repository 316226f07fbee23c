"""Reports drawn from a review's own data: the PRISMA 2020 flow diagram, the typology of the included
studies, summary sentences and charts."""
