"""Things several groups of one scenario share without knowing each other.

Public benchmarks are the same questions for every lab; a popular open-source bot ships
one system prompt to every company that runs it; a coding-agent tool sends the same
client, system prompt and ``max_tokens`` default for all its users; a reseller's
infrastructure (org, address range, client) is shared by its own accounts and by a
campaign that routes through it. Each is derived from a key with its own random stream
(``shared_rng``), so two groups asking for the same key get the same thing, whatever
their order, and nothing else changes.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa

from distillguard.simulate import identity
from distillguard.simulate.base import Context
from distillguard.simulate.textgen import TemplateRenderer, random_hex


def shared_rng(ctx: Context | None, key: str) -> np.random.Generator:
    """A stream for ``key`` within the scenario (``ctx=None``: the same in every scenario)."""
    seed = 0 if ctx is None else ctx.scenario.seed
    return np.random.default_rng([seed, zlib.crc32(key.encode())])


# ---- clients ---------------------------------------------------------------------------

#: HTTP stacks that few API clients use; a campaign's own tooling, or a rare language.
UNCOMMON_STACKS = (
    "reqwest/0.{int:9-12}.{int:0-24}", "Dart/3.{int:0-5} (dart:io)", "undici/{int:5-6}.{int:0-9}",
    "axios/1.{int:4-7}.{int:0-9}", "Python-urllib/3.{int:8-12}", "node-fetch/{int:2-3}.{int:0-6}",
    "Java-http-client/{int:11-21}.0.{int:1-9}", "okhttp/3.{int:10-14}.{int:0-9}",
    "ruby-faraday/2.{int:0-9}", "Guzzle/7.{int:0-8} curl/8.{int:0-9}", "fasthttp",
    "hyper/1.{int:0-4}.{int:0-9}", "libcurl-impersonate/0.{int:5-6}",
    "aiohttp-retry/2.{int:4-8} Python/3.{int:9-12}",
)

_client_renderer = TemplateRenderer({"stack": UNCOMMON_STACKS})


def render_client(template: str, rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` user agents from one template with ``{int:a-b}`` version slots."""
    return _client_renderer.render(template, rng, n)


def uncommon_clients(rng: np.random.Generator, stacks: int) -> tuple[list[str], list[str]]:
    """``stacks`` invented client stacks: a rare user agent and a TLS fingerprint of its own."""
    agents = _client_renderer.render("{stack}", rng, max(1, stacks)).to_pylist()
    digits = random_hex(rng, max(1, stacks), 12).to_pylist()
    tls = [f"t13d{int(rng.integers(10, 40))}{int(rng.integers(10, 20))}h2_{d[:12]}_{d[12:]}"
           for d in digits]
    return [str(a) for a in agents], tls


@dataclass(frozen=True)
class AgentTool:
    """A popular coding-agent tool: what every one of its users sends alike."""

    name: str
    user_agent: str
    tls: str
    system_prompt: str
    max_tokens: int


#: Popular coding agents. Their default ``max_tokens`` is large (32k is common).
AGENT_TOOLS: tuple[AgentTool, ...] = (
    AgentTool("codepilot-cli", "codepilot-cli/1.{int:0-9}.{int:0-30} (external, cli)",
              "t13d1516h2_8daaf6152771_02713d6af862",
              "You are an interactive CLI tool that helps users with software engineering "
              "tasks. Use the available tools to read, search and edit files. Keep answers "
              "concise.", 32000),
    AgentTool("openhands-lite", "openhands-lite/0.{int:20-40}.{int:0-9} litellm/1.{int:40-60}",
              "t13d1812h2_85036bcba153_375ca2c5e164",
              "You are an autonomous software engineer operating in a sandbox. Think step by "
              "step, run commands, and verify your changes with tests.", 32000),
    AgentTool("aider-like", "aider/0.{int:50-80}.{int:0-3}", "t13d1812h2_85036bcba153_375ca2c5e164",
              "Act as an expert software developer. Always use best practices when coding. "
              "Respect and use existing conventions, libraries, etc.", 8192),
    AgentTool("ide-agent",
              "CodeAssist/{int:1-2}.{int:0-40}.{int:0-9} agent-mode vscode/1.{int:85-97}.0",
              "t13d1712h2_5b57614c22b0_1f04b8ecd1d5",
              "You are an AI programming assistant in agent mode. Use tools to gather context, "
              "make edits, and run tests until the task is complete.", 16384),
)


#: System prompts of popular open-source bots that many unrelated companies deploy as is.
POPULAR_BOT_PROMPTS: tuple[str, ...] = (
    "You are DigestBot, an open-source assistant that summarizes activity for a team. Write "
    "a concise digest with sections: Highlights, Risks, Action items. Use bullet points.",
    "You are a helpful Slack bot. Answer the user's question using the provided context. If "
    "the context does not contain the answer, say you don't know.",
    "You are an on-call assistant. Given the alerts below, group related alerts, rank them by "
    "severity and suggest the next diagnostic step for each group.",
    "You are a release-notes writer. Turn the following merged pull requests into user-facing "
    "release notes grouped by feature, fix and chore.",
)


# ---- public benchmarks -------------------------------------------------------------------

#: Public benchmark sets: (name, templates). The same items in every scenario.
PUBLIC_BENCHMARKS: dict[str, tuple[str, ...]] = {
    "gsm-style": ("{word_problem}",),
    "mmlu-style": ("The following is a multiple choice question. {mc_item}\nAnswer:",),
    "code-style": ("Complete the following Python function.\n\n```python\ndef {fn_name}({arg}):\n"
                   "    \"\"\"{code_task}.\"\"\"\n```",),
    "logic-style": ("{logic_puzzle}", "{science_question}"),
}
BENCHMARK_ITEMS = 1500


@cache
def public_benchmark(name: str) -> pa.Array:
    """The items of one public benchmark (fixed: the same for every lab and every seed)."""
    from distillguard.simulate.prompts import PromptBank

    rng = shared_rng(None, f"benchmark:{name}")
    return PromptBank().render(PUBLIC_BENCHMARKS[name], rng, BENCHMARK_ITEMS)


def benchmark_items(ctx: Context, name: str) -> pa.Array:
    """A benchmark's items; GSM8K questions from the corpus for ``gsm-style`` when loaded."""
    corpus = ctx.prompts.corpus
    if name == "gsm-style" and corpus is not None:
        pool = corpus.pool("reasoning")
        if pool is not None and len(pool) > 0:
            return pool.slice(0, min(len(pool), BENCHMARK_ITEMS))
    return public_benchmark(name)


# ---- reseller infrastructure ----------------------------------------------------------


@dataclass(frozen=True)
class Infrastructure:
    """An operator's or a reseller's shared identity: org, mail domain, addresses, client."""

    org_id: str
    domain: str
    prefixes: np.ndarray
    user_agent: str
    tls: str
    country: str

    def addresses(self, rng: np.random.Generator, n: int, hosts: int = 30) -> pa.Array:
        return identity.addresses_in(rng, self.prefixes, n, hosts)


def infrastructure(ctx: Context, key: str, prefixes: int = 2,
                   countries: Sequence[str] = ("US", "SG", "DE", "GB", "NL")) -> Infrastructure:
    """The infrastructure named ``key`` in this scenario (same key, same infrastructure)."""
    rng = shared_rng(ctx, f"infrastructure:{key}")
    agent, tls = identity.one_client(rng, str(rng.choice(["python_sdk", "node_sdk", "go"])))
    return Infrastructure(
        org_id=str(random_hex(rng, 1, 6, prefix="org_")[0].as_py()),
        domain=identity.company_domain(rng),
        prefixes=identity.hosting_prefixes(rng, max(1, prefixes)),
        user_agent=agent, tls=tls, country=str(rng.choice(list(countries))))
