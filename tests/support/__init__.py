"""Plumbing shared by the tests and the benchmarks (bench/common.py imports it): real servers,
ports and polling in `servers`; scripts the tests run as processes (llm_server, ingest_driver,
fetch_test_model). Nothing here is a fake."""
