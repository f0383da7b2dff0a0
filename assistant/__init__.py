"""Treaty Assistant: answers with citations about the UN Convention against Cybercrime.

Importing this package is cheap; heavy libraries load inside the code paths that use them.
"""
from .config import Settings, load_settings

__version__ = "0.1.0"
__all__ = ["Settings", "__version__", "load_settings"]
