"""Getting a newsroom's archive in: readers turn files into records, the pipeline validates and stores."""
