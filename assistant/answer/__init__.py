"""The answer path: understand -> retrieve -> decide -> respond (generate, verify, cite).

Imports flow one way: types, tuning, prompts, sentences, terms -> understand/ -> retrieve
-> decide -> generate/ -> verify -> citations -> respond -> chain. Heavy libraries
(langchain-core, LLM clients) load only in the modules that need them.
"""
__all__: list[str] = []
