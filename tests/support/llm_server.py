"""A real OpenAI-compatible server for tests: xllamacpp serving a small GGUF on loopback.

Usage: python tests/support/llm_server.py MODEL.gguf PORT  (prints the base URL, then serves
until killed). The tests use SmolLM2-135M (see `make test-model`): they check wiring,
streaming and verification, not answer quality.
"""
import sys
import time

import xllamacpp

params = xllamacpp.CommonParams()
params.model.path = sys.argv[1]
params.port = int(sys.argv[2])
params.n_ctx = 4096
params.n_predict = 120
params.cpuparams.n_threads = 1
params.cpuparams_batch.n_threads = 1
params.warmup = False
server = xllamacpp.Server(params)
print(server.listening_address, flush=True)
while True:
    time.sleep(3600)
