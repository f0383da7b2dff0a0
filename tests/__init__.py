"""Treaty Assistant test suite (a package so tests can import shared constants from conftest)."""
