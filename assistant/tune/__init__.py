"""`treaty tune`: fit the answer path's ranking and answerability weights on question files,
report 5-fold cross-validated figures per category beside the in-sample ones, and write the
tuning file the pipeline loads. Importing this package is cheap; the work loads inside."""
__all__: list[str] = []
