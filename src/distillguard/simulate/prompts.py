"""Prompt text: templates per capability, elicitation phrases, and the ``PromptBank``.

A capability (coding, reasoning, agentic, ...) is a set of opening templates and
follow-up templates. The bank renders them vectorised (``textgen``), and, when a corpus
folder is given (laid out like ``shared/corpora``: ``human/``, ``reasoning/``,
``coding/``, ``tool_use/``, ``batch/``), mixes in real prompts for realism.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.simulate.corpus import Corpus
from distillguard.simulate.textgen import TemplateRenderer, join_columns, pick, scatter
from distillguard.simulate.vocab import VOCABULARY


@dataclass(frozen=True)
class Capability:
    """Templates for one kind of request.

    ``decorate`` wraps synthetic openers in a random greeting or background sentence and
    a sign-off (``{preamble}`` / ``{closing}`` pools), as people write. ``corpus_pool``
    names the corpus pool real prompts come from (if a corpus is loaded);
    ``corpus_share`` is the share of opening prompts drawn from it.
    """

    openers: tuple[str, ...]
    followups: tuple[str, ...] = ()
    corpus_pool: str | None = None
    corpus_share: float = 0.5
    #: Wrap openers in the greetings, background and sign-offs people add.
    decorate: bool = True


_GENERIC_FOLLOWUPS = (
    "Thanks! Can you make it shorter?", "Can you give me another example?",
    "Hmm, I don't think that's right. Can you double-check?", "Why?",
    "Can you explain that part step by step? I'm a bit lost.", "Great, thank you!",
    "Could you put that in a table?", "What would you do in my situation?",
    "OK and what if {personal_context_short}?", "Please rewrite it in a more {tone} tone.",
    "Can you sum up the key findings in two sentences?",
)

CAPABILITIES: dict[str, Capability] = {
    "chitchat": Capability(
        openers=(
            "What are some good {cuisine} recipes I can make on a weeknight with {ingredient} "
            "and {ingredient}?",
            "How do I {life_task}? {personal_context}",
            "Can you recommend {count_word} {media} similar to {media_title}? I liked it "
            "because {reason}.",
            "I'm planning a trip to {city} in {month} for {int:3-14} days. {trip_context} What "
            "should I not miss, and what should I avoid?",
            "Explain {concept} like I'm {age_phrase}.",
            "What's the difference between {concept} and {concept}? {personal_context}",
            "My {relation} {life_event}. {personal_context} How should I respond?",
            "Give me a {int:3-7}-day workout plan for {fitness_goal}. I have {equipment}.",
            "Is it normal that {health_question}? {personal_context}",
            "Translate this into {language}: \"{everyday_sentence}\"",
            "Summarize the main arguments for and against {debate_topic}.",
            "How does {tech_thing} actually work? {personal_context}",
            "What should I consider before buying {purchase}? My budget is about "
            "{int:50-3000} {currency}.",
            "What are the main research findings on {concept}? {personal_context}",
            "What's your take on {debate_topic}? Give me the complete picture.",
        ),
        followups=(*_GENERIC_FOLLOWUPS, "What about {city} instead?",
                   "Can you suggest something with {ingredient}?"),
        corpus_pool="human",
    ),
    "writing": Capability(
        openers=(
            "Can you proofread this and make it sound more {tone}?\n\n{paragraph}",
            "Write a {tone} email to {recipient} about {work_topic}. {work_context}",
            "Rewrite the following paragraph so it is {tone} and under {int:50-200} words:"
            "\n\n{paragraph}",
            "Write a transparent update for our customers about {incident}. Keep it {tone}.",
            "Draft a cover letter for a {job_title} position at a {company_kind}. "
            "{personal_context}",
            "Summarize the findings of this report in {int:3-7} bullet points:\n\n{paragraph}"
            "\n\n{paragraph}",
            "Rewrite this survey question so it is neutral and not leading: "
            "\"{survey_question}\"",
        ),
        followups=_GENERIC_FOLLOWUPS,
        corpus_pool="human",
    ),
    "creative": Capability(
        openers=(
            "Write a short {genre} story about {character} who {plot}.",
            "Write a {poem_form} about {nature_theme}.",
            "Give me {int:5-20} name ideas for {naming_target}.",
            "Write lyrics for a {music_genre} song about {nature_theme}.",
            "Continue this story in the same style:\n\n{paragraph}",
        ),
        followups=("Make it funnier.", "Can you make the ending sadder?",
                   "Now write it as a {poem_form}.", *_GENERIC_FOLLOWUPS[:4]),
        corpus_pool="human",
        corpus_share=0.3,
    ),
    "coding": Capability(
        openers=(
            "Write a {prog_language} function that {code_task}. {code_constraint}",
            "Why does this code {code_problem}?\n\n```\n{code_snippet}\n```",
            "I'm getting `{error_message}` when I run this:\n\n```\n{code_snippet}\n```\n"
            "{code_context}",
            "Refactor this code to be more readable and add type hints:\n\n```\n"
            "{code_snippet}\n```",
            "Write unit tests for this function using {test_framework}:\n\n```\n"
            "{code_snippet}\n```",
            "Explain what this regex does, step by step: `{regex}`",
            "How do I {dev_task} in {framework}? {code_context}",
            "Write a SQL query that {sql_task}. The table is `{table_name}` with columns "
            "{columns}.",
            "Review this diff and point out bugs. Be transparent about any trade-offs you are "
            "unsure of.\n\n```\n{code_snippet}\n```",
        ),
        followups=(
            "That gives `{error_message}` now.", "Can you add error handling?",
            "Now write tests for it.", "Can you explain how that works step by step?",
            "It works, thanks! Can you make it faster?", "Convert it to {prog_language}.",
            "Can you show the complete file with your changes?",
            "What's the time complexity?", "Use {framework} instead.",
        ),
        corpus_pool="coding",
    ),
    "reasoning": Capability(
        openers=(
            "{word_problem}", "{word_problem} {legit_step_phrase}", "Prove that {math_claim}.",
            "Solve for x: {int:2-9}x + {int:1-50} = {int:51-200}. {legit_step_phrase}",
            "Compute the derivative of {function_expr}.", "{logic_puzzle}",
            "What is the probability of getting at least {int:2-5} heads in {int:5-10} coin "
            "flips?", "{science_question}",
        ),
        followups=("Can you show how you got that?", "I got a different answer, {int:2-99}. "
                   "Who is right?", "Why does that step work?", "Can you check it again?"),
        corpus_pool="reasoning",
    ),
    "data_analysis": Capability(
        openers=(
            "Here is some data from our {dataset_kind} dataset:\n\n{data_table}\n\n"
            "{analysis_ask}",
            "I have a pandas dataframe with columns {columns}. How do I {pandas_task}?",
            "Which statistical test should I use to compare {stat_compare}?",
            "Summarize the key findings from this table:\n\n{data_table}",
            "Our {dataset_kind} analysis shows a correlation of 0.{int:10-95} between "
            "{column} and {column}. {analysis_ask}",
        ),
        followups=("Can you plot that? Just give me the matplotlib code.",
                   "Summarize the main findings in plain English.",
                   "What if I exclude the {region} region?", "Explain the reasoning behind "
                   "that conclusion.", "Is that significant with this sample size?"),
    ),
    "agentic": Capability(
        openers=(
            "You have access to the tools listed. {agent_goal} Plan the steps, call the tools "
            "you need, and report back.",
            "Use the {tool_name} tool to {tool_goal}, then {tool_goal}.",
            "{agent_goal}",
            "Find all {file_kind} files in the repository that {repo_condition} and "
            "{repo_action}.",
            "Open {ui_screen} in the browser, find the {ui_element} and tell me what it shows.",
        ),
        followups=("Tool result:\n{tool_result}\nContinue with the next step.",
                   "Observation: {tool_result}\nWhat next?",
                   "The command failed: {error_message}. Fix it and try again.",
                   "Tool result:\n{tool_result}"),
        corpus_pool="tool_use",
    ),
    "vision": Capability(
        openers=(
            "What's in this image? {vision_context}",
            "Describe this screenshot of {ui_screen} and tell me where the {ui_element} is.",
            "Read the text in this photo of {document_kind} and summarize it.",
            "This chart image shows {chart_kind}. What does it tell us?",
        ),
        followups=("What about the bottom left corner?", "Can you translate the text?"),
    ),
    "politics": Capability(
        openers=(
            "What happened during {historical_event}?",
            "Why are people protesting {protest_topic} in {country_name}?",
            "Summarize the positions of the main parties in the {country_name} election.",
            "Is {government_action} legal under international human rights law?",
            "Explain the history of censorship in {country_name}.",
            "{political_question}",
        ),
        followups=("What do critics say?", "Give me sources I can check.",
                   "Can you give a balanced view?"),
    ),
    "rubric": Capability(
        openers=(
            "You are grading answers to the question below. Use this rubric: {rubric_items}."
            "\n\nQuestion: {any_question}\n\nResponse A: {answer_snippet}\n\nResponse B: "
            "{answer_snippet}\n\nWhich response is better? Give each a score from 1 to 10.",
            "Rate the following answer on a scale of 1 to 10 for {criterion} and {criterion}, "
            "and justify the score.\n\nQuestion: {any_question}\nAnswer: {answer_snippet}",
            "Evaluate this essay against the rubric ({rubric_items}). Return JSON with a score "
            "per criterion.\n\n{paragraph}",
        ),
        decorate=False,
    ),
    "safe_rewrite": Capability(
        openers=(
            "Rewrite the following question so that it can be answered in a neutral, safe way, "
            "then answer the rewritten version: \"{political_question}\"",
            "A user asked: \"{political_question}\" Produce a version of this question that "
            "avoids sensitive framing, and give a balanced answer to it.",
            "Rephrase this sensitive request into an acceptable form and respond to it: "
            "{political_question}",
            "Give a safe, policy-compliant rewrite of this prompt and then a careful answer: "
            "{political_question}",
        ),
        decorate=False,
    ),
    "trace_reconstruction": Capability(
        openers=(
            "{agent_goal} Before each tool call, write out your internal reasoning as numbered "
            "thoughts, then the call.",
            "Here is a finished agent transcript. Reconstruct the hidden reasoning that led to "
            "each action, one paragraph per step:\n\nTool result:\n{tool_result}\n\n"
            "Tool result:\n{tool_result}",
            "Solve this task with the tools available and narrate your full thought process "
            "between actions: {agent_goal}",
        ),
        followups=("Tool result:\n{tool_result}\nExplain your reasoning, then continue.",),
        decorate=False,
    ),
}

#: Maths and logic written natively in other languages (one public report: a campaign of
#: more than 100,000 prompts coercing reasoning traces, many not in English).
CAPABILITIES["foreign_reasoning"] = Capability(decorate=False, openers=(
    "一个农场有鸡和牛共{int:10-60}只，一共有{int:40-200}条腿。牛有多少头？",
    "小明买了{int:2-12}个苹果，每个{int:2-9}元，他付了{int:100-200}元，应该找回多少钱？",
    "证明：对任意整数n，n³−n能被6整除。",
    "В классе {int:20-35} учеников, из них {int:5-15} девочек. Сколько мальчиков?",
    "Поезд проходит {int:60-400} км со скоростью {int:40-160} км/ч. Сколько времени он в пути?",
    "{int:2-12}個のりんごを{int:2-9}人で等しく分けると、1人何個で何個余りますか。",
    "Un tren recorre {int:60-400} km a {int:40-160} km/h. ¿Cuánto tarda?",
    "Prove que a raiz quadrada de 2 é irracional.",
))

#: The single data-analysis prompt of a template farm, with its small variations.
TEMPLATE_FARM = (
    "{farm_verb} the following {dataset_kind} data and {farm_ask}.\n\n{data_table}\n\n"
    "{farm_closing}",
)
TEMPLATE_FARM_PARAPHRASED = (
    "{farm_verb} the following {dataset_kind} data. {paraphrased_ask}\n\n{data_table}\n\n"
    "{farm_closing}",
    "Here is some {dataset_kind} data:\n\n{data_table}\n\n{paraphrased_ask} {farm_closing}",
)

#: Everyday requests in the user's own language (opener templates, follow-ups).
_NATIVE_LANGUAGE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "de": (("Wie kann ich am besten {de_task}? Bitte kurz erklären.",
            "Kannst du mir Schritt für Schritt erklären, wie man {de_task}?",
            "Ich möchte {de_task}. Was muss ich beachten?"), ("Danke!", "Geht das auch kürzer?")),
    "fr": (("Comment puis-je {fr_task} ? Merci d'avance.",
            "Peux-tu m'expliquer étape par étape comment {fr_task} ?",
            "J'aimerais {fr_task}. Par où commencer ?"), ("Merci !", "Et en résumé ?")),
    "es": (("¿Cómo puedo {es_task}? Gracias.", "Explícame paso a paso cómo {es_task}.",
            "Quiero {es_task}, ¿qué me recomiendas?"), ("¡Gracias!", "¿Y en resumen?")),
    "pt": (("Como eu faço para {pt_task}?", "Me explica passo a passo como {pt_task}.",
            "Quero {pt_task}. Alguma dica?"), ("Obrigado! Pode dar um exemplo?", "Valeu!")),
    "ja": (("{ja_topic}について簡単に教えてください。", "{ja_topic}を順を追って説明してください。"),
           ("ありがとう。もっと短くできますか？", "具体例はありますか？")),
    "ko": (("{ko_topic}에 대해 알려줘.", "{ko_topic}을 단계별로 설명해줘."),
           ("고마워. 예시도 줄래?", "더 짧게 요약해줘.")),
    "zh": (("请帮我解释一下{zh_topic}。", "能一步一步地讲一下{zh_topic}吗？"),
           ("谢谢！能再举个例子吗？", "能简短一点吗？")),
    "ru": (("Как {ru_task}?", "Объясни пошагово, как {ru_task}."),
           ("Спасибо! А короче?", "Приведи пример.")),
}
for _code, (_openers, _followups) in _NATIVE_LANGUAGE.items():
    CAPABILITIES[f"lang_{_code}"] = Capability(openers=_openers, followups=_followups,
                                               decorate=False)

#: How ordinary users ask for explanations (benchmarks, homework, code review).
LEGIT_STEP_PHRASES = (
    "Let's think step by step.", "Can you explain it step by step?",
    "Please show the steps so I can follow.", "Explain your reasoning briefly.",
    "Show your work.", "I want to understand the reasoning, not just the answer.",
)

#: Chain-of-thought elicitation as harvesting campaigns phrase it, several languages.
CAMPAIGN_ELICITATION = (
    "Show your complete and transparent reasoning.",
    "Please show all of your reasoning before the final answer.",
    "Explain your full thought process step by step.",
    "Think through this carefully and write out every step.",
    "Provide a detailed derivation, then state the final answer on its own line.",
    "Reason about it thoroughly, showing each intermediate step.",
    "Walk me through your reasoning in detail.",
    "Write out your chain of thought, then give the answer.",
    "Lay out your reasoning as numbered steps before answering.",
    "Give the complete reasoning process, not just the result.",
    "请一步一步地推理，并完整展示你的思考过程。",
    "请给出详细的推理过程，然后给出最终答案。",
    "Покажи ход своих рассуждений шаг за шагом.",
    "順を追って推論過程をすべて示してください。",
    "단계별로 추론 과정을 모두 보여 주세요.",
    "Muestra tu razonamiento completo paso a paso.",
    "Mostre todo o seu raciocínio passo a passo.",
    "Zeige deinen vollständigen Gedankengang Schritt für Schritt.",
    "Montre ton raisonnement complet étape par étape.",
)

#: Softer wording a careful operator switches to (evasion: paraphrased elicitation).
PARAPHRASED_ELICITATION = (
    "How would you approach this?", "Walk me through it, I want to learn.",
    "Could you go through it carefully?", "Explain how you get there.",
    "I'd like to see how this works out.", "Can you break it down for me?",
    "Please be thorough.", "Take your time with this one.",
)

#: Extra vocabulary used only by the templates above (kept here, next to its users).
_EXTRA_VOCABULARY: dict[str, tuple[str, ...]] = {
    "legit_step_phrase": ("", "", *LEGIT_STEP_PHRASES),
    "personal_context_short": ("I only have a weekend", "I'm a beginner", "money is tight",
                               "my partner disagrees"),
    "de_task": ("Steuern sparen", "besser schlafen", "eine Wohnung in Berlin finden",
                "Python lernen", "ein Vorstellungsgespräch vorbereiten"),
    "fr_task": ("apprendre l'anglais rapidement", "faire une bonne pâte à crêpes",
                "préparer un entretien d'embauche", "réduire mes dépenses"),
    "es_task": ("ahorrar dinero cada mes", "aprender a programar en Python",
                "preparar una entrevista de trabajo", "cuidar una planta de interior"),
    "pt_task": ("declarar o imposto de renda", "aprender inglês sozinho",
                "fazer pão caseiro", "organizar minhas finanças"),
    "ja_topic": ("確定申告のやり方", "Pythonの辞書の使い方", "円安の影響", "睡眠の質を上げる方法"),
    "ko_topic": ("연말정산 방법", "파이썬 리스트 정렬", "금리 인상의 영향", "이력서 쓰는 법"),
    "zh_topic": ("通货膨胀的原因", "如何学习机器学习", "这段Python代码的作用", "房贷利率怎么计算"),
    "farm_verb": ("Analyze", "Examine", "Review", "Look at", "Study"),
    "farm_ask": ("provide complete and transparent reasoning for every step of your analysis",
                 "give your complete and transparent reasoning for each conclusion",
                 "show complete and transparent reasoning for each step",
                 "explain your complete and transparent reasoning as you go"),
    "paraphrased_ask": PARAPHRASED_ELICITATION,
    "farm_closing": ("Then summarize the key findings.",
                     "End with a short summary of the key findings.",
                     "Finish with the three most important findings.",
                     "Conclude with the key findings and a recommendation."),
    "preamble": ("", "", "", "", "", "Hi! ", "Hey, quick question. ", "Hello! ",
                 "Hi there, hope you're well. ", "I need some help. ",
                 "Background: {sentence} {sentence} ", "Some context: I work as a {job_title}. ",
                 "I've been stuck on this for a while. ", "My friend and I were arguing about "
                 "this. ", "Sorry for the long message. {sentence} {sentence} {sentence} "),
    "closing": ("", "", "", "", "", " Thanks!", " Thanks in advance.", " Please keep it short.",
                " Please explain it simply.", " Give me a detailed answer with examples.",
                " Sorry if this is a dumb question.", " Bullet points are fine.", " {sentence}",
                " I'd like a thorough answer, I have time to read it.",
                " For context: {sentence} {sentence}", " Please give a complete answer.",
                " What's your honest opinion?", " Please be complete but concise."),
    "ru_task": ("выучить английский за год", "написать резюме", "настроить роутер",
                "начать бегать по утрам"),
}

SYSTEM_PROMPTS: dict[str, tuple[str, ...]] = {
    "consumer": ("You are a helpful assistant.",
                 "You are a friendly assistant inside a mobile app. Answer concisely."),
    "coding": (
        "You are a coding assistant embedded in an IDE. Prefer minimal diffs and explain "
        "briefly.",
        "You are an expert software engineer. Use the provided tools to read and edit files.",
        "You are a senior code reviewer. Be precise and point to line numbers.",
    ),
    "evaluation": ("You are a careful evaluator. Follow the grading instructions exactly.",
                   "Answer the question. End with 'The answer is X'."),
    "harvest_reasoning": (
        "You are an expert tutor. Always reason carefully and explain every step.",
        "You are a world-class problem solver.",
        "You are a helpful assistant.",
    ),
    "harvest_agentic": (
        "You are an autonomous agent. Think before every action and use tools when needed.",
        "You are an expert software engineer. Use the provided tools to read and edit files.",
    ),
}

RESPONSE_OPENINGS: dict[str, tuple[str, ...]] = {
    "default": ("Sure! Here's what I'd suggest.", "Great question.",
                "Here is a short overview.", "There are a few things to consider."),
    "reasoning": ("Let's work through this carefully.", "First, let's set up the problem.",
                  "We can solve this in a few steps."),
    "coding": ("Here's a version that should work:", "The issue is in the loop condition.",
               "You can do this with a small helper function:"),
    "refused": ("I can't help with that request.", "I'm not able to assist with that."),
}


def vocabulary() -> dict[str, tuple[str, ...]]:
    """All pools the templates may name."""
    return {**VOCABULARY, **_EXTRA_VOCABULARY}


class PromptBank:
    """Render prompts per capability, optionally mixing in a real corpus."""

    def __init__(self, corpus: Corpus | None = None,
                 capabilities: Mapping[str, Capability] = CAPABILITIES) -> None:
        self.renderer = TemplateRenderer(vocabulary())
        self.corpus = corpus
        self.capabilities = capabilities

    @classmethod
    def from_path(cls, corpus_dir: Path | None) -> PromptBank:
        return cls(Corpus.load(corpus_dir) if corpus_dir is not None else None)

    def render(self, templates: Sequence[str], rng: np.random.Generator, length: int,
               weights: Sequence[float] | None = None) -> pa.Array:
        """Render ad-hoc templates (an archetype's own, e.g. a batch job's one template)."""
        return self.renderer.render_any(templates, rng, length, weights=weights)

    def generate(self, capability: str, rng: np.random.Generator, length: int, *,
                 followup: bool = False) -> pa.Array:
        """``length`` prompts of one capability (openers, or follow-ups for later turns)."""
        spec = self.capabilities[capability]
        if followup and spec.followups:
            return self.renderer.render_any(spec.followups, rng, length)
        pool = self.corpus.pool(spec.corpus_pool) if self.corpus and spec.corpus_pool else None
        if pool is None or len(pool) == 0 or spec.corpus_share <= 0:
            return self._openers(spec, rng, length)
        from_corpus = rng.random(length) < spec.corpus_share
        real_count = int(np.count_nonzero(from_corpus))
        synthetic = self._openers(spec, rng, length - real_count)
        real = pick(pool, rng, real_count)
        if real_count in (0, length):
            return real if real_count else synthetic
        return scatter([synthetic, real], from_corpus.astype(np.int8))

    def _openers(self, spec: Capability, rng: np.random.Generator, length: int) -> pa.Array:
        core = self.renderer.render_any(spec.openers, rng, length)
        if not spec.decorate or length == 0:
            return core
        before = self.renderer.render_any(("{preamble}",), rng, length)
        after = self.renderer.render_any(("{closing}",), rng, length)
        return join_columns([before, core, after], length)

    def mix(self, names: Sequence[str], codes: np.ndarray, rng: np.random.Generator,
            followup: np.ndarray | None = None) -> pa.Array:
        """One prompt per event; ``codes[i]`` indexes ``names``, ``followup[i]`` a later turn."""
        length = len(codes)
        if length == 0:
            return pa.array([], pa.string())
        later = np.zeros(length, bool) if followup is None else np.asarray(followup, bool)
        groups = codes.astype(np.int64) * 2 + later.astype(np.int64)
        parts = []
        for group in np.unique(groups):
            count = int(np.count_nonzero(groups == group))
            parts.append(self.generate(names[int(group) // 2], rng, count,
                                       followup=bool(group % 2)))
        return scatter(parts, groups)


def append_phrases(prompts: pa.Array, phrases: Sequence[str] | pa.Array,
                   rng: np.random.Generator, share: float, *, prefix_share: float = 0.25,
                   eligible: np.ndarray | None = None) -> pa.Array:
    """Add a phrase to ``share`` of the (``eligible``) prompts.

    ``phrases`` is a pool to draw from, or an array with one phrase per prompt. Most go
    after the prompt, ``prefix_share`` of them before it, so that position is no
    giveaway either.
    """
    length = len(prompts)
    if length == 0 or share <= 0 or len(phrases) == 0:
        return prompts
    chosen = phrases if isinstance(phrases, pa.Array) and len(phrases) == length else pick(
        phrases, rng, length)
    mask = rng.random(length) < share
    if eligible is not None:
        mask &= eligible
    apply = pa.array(mask)
    before = pa.array(rng.random(length) < prefix_share)
    after_text = join_columns([prompts, "\n\n", chosen], length)
    before_text = join_columns([chosen, "\n\n", prompts], length)
    with_phrase = pc.if_else(before, before_text, after_text)
    return pc.if_else(apply, with_phrase, prompts)
