"""Interface strings in the six UN languages: declines, the quoted-in-English lead, source
headings, errors (chat, widget, API), suggestions and the widget's own labels.

`t(key, lang, **fields)` formats one; unknown languages fall back to English. Document text is
never translated here: answers quote the documents in their own language.
"""
from __future__ import annotations

from .detect import LANGS

# key -> lang -> template; every language has the same {fields} as English (a test checks)
STRINGS: dict[str, dict[str, str]] = {
    "decline": {
        "en": "The documents I hold do not answer this question.",
        "fr": "Les documents dont je dispose ne répondent pas à cette question.",
        "es": "Los documentos de que dispongo no responden a esta pregunta.",
        "ru": "В имеющихся у меня документах нет ответа на этот вопрос.",
        "ar": "لا تتضمن الوثائق المتاحة لديّ إجابة عن هذا السؤال.",
        "zh": "我所掌握的文件无法回答这个问题。"},
    "decline_task": {
        "en": "I can only answer questions about the documents I hold, so I cannot do that.",
        "fr": "Je ne peux répondre qu'à des questions sur les documents dont je dispose ; je ne peux donc pas faire cela.",
        "es": "Solo puedo responder a preguntas sobre los documentos de que dispongo, así que no puedo hacer eso.",
        "ru": "Я могу отвечать только на вопросы об имеющихся у меня документах, поэтому не могу это сделать.",
        "ar": "لا يمكنني الإجابة إلا عن الأسئلة المتعلقة بالوثائق المتاحة لديّ، لذا لا أستطيع القيام بذلك.",
        "zh": "我只能回答与我所掌握文件有关的问题，因此无法完成这一请求。"},
    "decline_searched": {
        "en": "I searched the documents for “{gist}”, and they do not say.",
        "fr": "J'ai cherché « {gist} » dans les documents, et ils n'en disent rien.",
        "es": "Busqué «{gist}» en los documentos, y no dicen nada al respecto.",
        "ru": "Я искал в документах «{gist}», но они об этом ничего не говорят.",
        "ar": "بحثتُ في الوثائق عن «{gist}»، ولا تذكر شيئاً عن ذلك.",
        "zh": "我在文件中检索了“{gist}”，文件中没有相关内容。"},
    "they_answer": {
        "en": "They do answer:", "fr": "Ils répondent en revanche à :", "es": "En cambio, sí responden a:",
        "ru": "Зато в них есть ответы на вопросы:", "ar": "لكنها تجيب عن:", "zh": "文件可以回答以下问题："},
    "decline_missing_chapter": {
        "en": "The {doc} has {count} chapters; there is no Chapter {chapter}. The documents do not cover it.",
        "fr": "{doc} compte {count} chapitres ; il n'y a pas de chapitre {chapter}. Les documents n'en traitent pas.",
        "es": "{doc} tiene {count} capítulos; no existe el capítulo {chapter}. Los documentos no lo abarcan.",
        "ru": "Число глав в документе «{doc}»: {count}; главы {chapter} в нём нет. Документы этого не охватывают.",
        "ar": "عدد فصول «{doc}» هو {count}، ولا يوجد فيها فصل رقمه {chapter}. ولا تتناول الوثائق ذلك.",
        "zh": "《{doc}》共有{count}章，没有第{chapter}章。这些文件不涉及该内容。"},
    "decline_missing_article": {
        "en": "The {doc} has {count} articles; there is no Article {article}. The documents do not cover it.",
        "fr": "{doc} compte {count} articles ; il n'y a pas d'article {article}. Les documents n'en traitent pas.",
        "es": "{doc} tiene {count} artículos; no existe el artículo {article}. Los documentos no lo abarcan.",
        "ru": "Число статей в документе «{doc}»: {count}; статьи {article} в нём нет. Документы этого не охватывают.",
        "ar": "عدد مواد «{doc}» هو {count}، ولا توجد فيها مادة رقمها {article}. ولا تتناول الوثائق ذلك.",
        "zh": "《{doc}》共有{count}条，没有第{article}条。这些文件不涉及该内容。"},
    "decline_missing_document": {
        "en": "The documents do not include the {name}, so I cannot quote its articles.",
        "fr": "Les documents ne comprennent pas le texte suivant : {name} ; je ne peux donc pas en citer les articles.",
        "es": "Los documentos no incluyen el texto siguiente: {name}; por eso no puedo citar sus artículos.",
        "ru": "Документа «{name}» среди документов нет, поэтому я не могу процитировать его статьи.",
        "ar": "لا تتضمن الوثائق «{name}»، لذا لا أستطيع اقتباس مواده.",
        "zh": "这些文件不包括《{name}》，因此无法引用其条款。"},
    "coverage": {
        "en": "They cover: {names}.", "fr": "Ils portent sur : {names}.", "es": "Abarcan: {names}.",
        "ru": "Они охватывают: {names}.", "ar": "وهي تشمل: {names}.", "zh": "这些文件包括：{names}。"},
    "quote_lead": {
        "en": "The documents are in {doc_lang}; they are quoted in their own words:",
        "fr": "Les documents sont en {doc_lang} ; ils sont cités dans leur langue d'origine :",
        "es": "Los documentos están en {doc_lang}; se citan en su idioma original:",
        "ru": "Документы составлены на {doc_lang} языке; они цитируются дословно:",
        "ar": "الوثائق باللغة {doc_lang}، ويُقتبس نصها كما ورد فيها:",
        "zh": "文件为{doc_lang}，以下按原文引用："},
    # partial answers (answer/gaps.py): what the question asks that the quoted passages do not hold
    "gap_definition": {
        "en": "The documents do not define “{term}” as such; the closest provisions follow.",
        "fr": "Les documents ne définissent pas « {term} » en tant que tel ; les dispositions les plus proches suivent.",
        "es": "Los documentos no definen «{term}» como tal; siguen las disposiciones más cercanas.",
        "ru": "В документах нет определения «{term}» как такового; ниже приведены наиболее близкие положения.",
        "ar": "لا تعرّف الوثائق «{term}» بحد ذاته؛ وفيما يلي أقرب الأحكام.",
        "zh": "文件没有对“{term}”本身作出定义；以下是最相关的条款。"},
    "gap_penalty": {
        "en": "The documents set no specific penalty (no prison term or amount); the closest provisions follow.",
        "fr": "Les documents ne fixent aucune peine précise (ni durée d'emprisonnement ni montant) ; les dispositions les plus proches suivent.",
        "es": "Los documentos no fijan una pena concreta (ni plazo de prisión ni cuantía); siguen las disposiciones más cercanas.",
        "ru": "В документах не установлено конкретное наказание (ни срок лишения свободы, ни сумма); ниже приведены наиболее близкие положения.",
        "ar": "لا تحدد الوثائق عقوبة بعينها (لا مدة سجن ولا مبلغاً)؛ وفيما يلي أقرب الأحكام.",
        "zh": "文件没有规定具体刑罚（既无刑期也无金额）；以下是最相关的条款。"},
    "gap_number": {
        "en": "The documents give no number for this; the closest provisions follow.",
        "fr": "Les documents ne donnent aucun nombre à ce sujet ; les dispositions les plus proches suivent.",
        "es": "Los documentos no dan ninguna cifra al respecto; siguen las disposiciones más cercanas.",
        "ru": "В документах нет числа по этому вопросу; ниже приведены наиболее близкие положения.",
        "ar": "لا تذكر الوثائق أي عدد بهذا الشأن؛ وفيما يلي أقرب الأحكام.",
        "zh": "文件没有给出相关数字；以下是最相关的条款。"},
    "gap_date": {
        "en": "The documents give no date for this; the closest provisions follow.",
        "fr": "Les documents ne donnent aucune date à ce sujet ; les dispositions les plus proches suivent.",
        "es": "Los documentos no dan ninguna fecha al respecto; siguen las disposiciones más cercanas.",
        "ru": "В документах нет даты по этому вопросу; ниже приведены наиболее близкие положения.",
        "ar": "لا تذكر الوثائق أي تاريخ بهذا الشأن؛ وفيما يلي أقرب الأحكام.",
        "zh": "文件没有给出相关日期；以下是最相关的条款。"},
    "sources": {"en": "Sources", "fr": "Sources", "es": "Fuentes", "ru": "Источники", "ar": "المصادر", "zh": "来源"},
    "sources_title": {
        "en": "Sources ({n}) · corpus version {version}", "fr": "Sources ({n}) · version du corpus {version}",
        "es": "Fuentes ({n}) · versión del corpus {version}", "ru": "Источники ({n}) · версия корпуса {version}",
        "ar": "المصادر ({n}) · إصدار المجموعة {version}", "zh": "来源（{n}）· 语料库版本 {version}"},
    "no_sources": {
        "en": "No sources · corpus version {version}", "fr": "Aucune source · version du corpus {version}",
        "es": "Sin fuentes · versión del corpus {version}", "ru": "Нет источников · версия корпуса {version}",
        "ar": "لا توجد مصادر · إصدار المجموعة {version}", "zh": "无来源 · 语料库版本 {version}"},
    "source_n": {
        "en": "Source {n}: {label}", "fr": "Source {n} : {label}", "es": "Fuente {n}: {label}",
        "ru": "Источник {n}: {label}", "ar": "المصدر {n}: {label}", "zh": "来源 {n}：{label}"},
    "copy": {"en": "Copy", "fr": "Copier", "es": "Copiar", "ru": "Копировать", "ar": "نسخ", "zh": "复制"},
    "copy_label": {
        "en": "Copy answer with its sources", "fr": "Copier la réponse avec ses sources",
        "es": "Copiar la respuesta con sus fuentes", "ru": "Скопировать ответ вместе с источниками",
        "ar": "نسخ الإجابة مع مصادرها", "zh": "复制回答及其来源"},
    "open_in_source": {
        "en": "Open {label} in the source document", "fr": "Ouvrir {label} dans le document source",
        "es": "Abrir {label} en el documento original", "ru": "Открыть {label} в исходном документе",
        "ar": "فتح {label} في الوثيقة المصدر", "zh": "在原始文件中打开{label}"},
    "the_passage": {
        "en": "the passage", "fr": "le passage", "es": "el pasaje", "ru": "фрагмент", "ar": "المقطع", "zh": "该段落"},
    "suggested": {
        "en": "Suggested questions", "fr": "Questions suggérées", "es": "Preguntas sugeridas",
        "ru": "Примеры вопросов", "ar": "أسئلة مقترحة", "zh": "推荐问题"},
    "error_empty": {
        "en": "The question is empty: type a question and ask again.",
        "fr": "La question est vide : saisissez une question et réessayez.",
        "es": "La pregunta está vacía: escriba una pregunta y vuelva a intentarlo.",
        "ru": "Вопрос пуст: введите вопрос и повторите попытку.",
        "ar": "السؤال فارغ: اكتب سؤالاً ثم أعد المحاولة.",
        "zh": "问题为空：请输入问题后重试。"},
    "error_too_long": {
        "en": "The question is {length} characters long; the limit is {limit}: shorten it and ask again.",
        "fr": "La question compte {length} caractères ; la limite est de {limit} : raccourcissez-la et réessayez.",
        "es": "La pregunta tiene {length} caracteres y el límite es {limit}: acórtela y vuelva a intentarlo.",
        "ru": "Вопрос слишком длинный ({length} знаков при допустимых {limit}): сократите его и повторите попытку.",
        "ar": "يبلغ طول السؤال {length} حرفاً والحد الأقصى {limit}: اختصره ثم أعد المحاولة.",
        "zh": "问题长度为{length}个字符，上限为{limit}个：请缩短后重试。"},
    "error_rate_limited": {
        "en": "Too many questions: wait {seconds} seconds and ask again.",
        "fr": "Trop de questions : attendez {seconds} secondes, puis réessayez.",
        "es": "Demasiadas preguntas: espere {seconds} segundos y vuelva a intentarlo.",
        "ru": "Слишком много вопросов: подождите {seconds} с и повторите попытку.",
        "ar": "عدد الأسئلة كبير جداً: انتظر {seconds} ثانية ثم أعد المحاولة.",
        "zh": "提问过于频繁：请等待{seconds}秒后重试。"},
    "error_no_index": {
        "en": "There is no index yet: run `treaty ingest` first, then ask again.",
        "fr": "Aucun index n'est encore disponible : lancez d'abord `treaty ingest`, puis réessayez.",
        "es": "Todavía no hay índice: ejecute primero `treaty ingest` y vuelva a intentarlo.",
        "ru": "Индекс ещё не создан: сначала выполните `treaty ingest`, затем повторите попытку.",
        "ar": "لا يوجد فهرس بعد: شغّل أولاً الأمر `treaty ingest` ثم أعد المحاولة.",
        "zh": "尚未建立索引：请先运行 `treaty ingest`，然后重试。"},
    "error_generator": {
        "en": "The answer generator is unavailable right now: try again later.",
        "fr": "Le générateur de réponses est indisponible pour le moment : réessayez plus tard.",
        "es": "El generador de respuestas no está disponible en este momento: vuelva a intentarlo más tarde.",
        "ru": "Генератор ответов сейчас недоступен: повторите попытку позже.",
        "ar": "مولّد الإجابات غير متاح حالياً: أعد المحاولة لاحقاً.",
        "zh": "回答生成器暂时不可用：请稍后重试。"},
    "error_http": {
        "en": "The assistant answered with HTTP {status}.", "fr": "L'assistant a répondu avec le code HTTP {status}.",
        "es": "El asistente respondió con el código HTTP {status}.", "ru": "Ассистент ответил кодом HTTP {status}.",
        "ar": "أجاب المساعد برمز HTTP {status}.", "zh": "助手返回了 HTTP {status}。"},
    "greeting": {
        "en": "Ask me about the UN Convention against Cybercrime: I answer from its text and cite the articles.",
        "fr": "Posez-moi vos questions sur la Convention des Nations Unies contre la cybercriminalité : "
              "je réponds à partir de son texte et cite les articles.",
        "es": "Pregúnteme sobre la Convención de las Naciones Unidas contra la Ciberdelincuencia: "
              "respondo a partir de su texto y cito los artículos.",
        "ru": "Задайте вопрос о Конвенции ООН против киберпреступности: я отвечаю по её тексту и ссылаюсь на статьи.",
        "ar": "اسألني عن اتفاقية الأمم المتحدة لمكافحة الجرائم السيبرانية: أجيب من نصها وأستشهد بموادها.",
        "zh": "欢迎就《联合国打击网络犯罪公约》提问：我根据公约文本作答，并注明所引条款。"},
    "chat_placeholder": {
        "en": "Ask about the UN Convention against Cybercrime. Answers quote the treaty and cite it.",
        "fr": "Posez une question sur la Convention des Nations Unies contre la cybercriminalité. "
              "Les réponses citent le texte du traité.",
        "es": "Pregunte sobre la Convención de las Naciones Unidas contra la Ciberdelincuencia. "
              "Las respuestas citan el texto del tratado.",
        "ru": "Задайте вопрос о Конвенции ООН против киберпреступности. Ответы цитируют текст договора.",
        "ar": "اطرح سؤالاً عن اتفاقية الأمم المتحدة لمكافحة الجرائم السيبرانية. تقتبس الإجابات نص المعاهدة.",
        "zh": "请就《联合国打击网络犯罪公约》提问。回答会引用公约原文并注明出处。"},
    "placeholder": {
        "en": "Ask about the Convention…", "fr": "Posez une question sur la Convention…",
        "es": "Pregunte sobre la Convención…", "ru": "Задайте вопрос о Конвенции…",
        "ar": "اطرح سؤالاً عن الاتفاقية…", "zh": "请就公约提问……"},
    "send": {"en": "Send", "fr": "Envoyer", "es": "Enviar", "ru": "Отправить", "ar": "إرسال", "zh": "发送"},
    "stop": {"en": "Stop", "fr": "Arrêter", "es": "Detener", "ru": "Остановить", "ar": "إيقاف", "zh": "停止"},
    "clear": {"en": "Clear", "fr": "Effacer", "es": "Borrar", "ru": "Очистить", "ar": "مسح", "zh": "清除"},
    "open": {
        "en": "Open chat: {title}", "fr": "Ouvrir la discussion : {title}", "es": "Abrir el chat: {title}",
        "ru": "Открыть чат: {title}", "ar": "فتح المحادثة: {title}", "zh": "打开对话：{title}"},
    "close": {
        "en": "Close chat", "fr": "Fermer la discussion", "es": "Cerrar el chat", "ru": "Закрыть чат",
        "ar": "إغلاق المحادثة", "zh": "关闭对话"},
    "your_question": {
        "en": "Your question", "fr": "Votre question", "es": "Su pregunta", "ru": "Ваш вопрос", "ar": "سؤالك",
        "zh": "您的问题"},
    "conversation": {
        "en": "Conversation", "fr": "Conversation", "es": "Conversación", "ru": "Диалог", "ar": "المحادثة",
        "zh": "对话"},
    "note": {
        "en": "Answers quote the documents; follow the numbered sources.",
        "fr": "Les réponses citent les documents ; suivez les sources numérotées.",
        "es": "Las respuestas citan los documentos; consulte las fuentes numeradas.",
        "ru": "Ответы цитируют документы; смотрите пронумерованные источники.",
        "ar": "تقتبس الإجابات من الوثائق؛ راجع المصادر المرقّمة.",
        "zh": "回答引用文件原文；请查看编号的来源。"},
}

# lang -> the names of the six languages as they fit into that language's "quote_lead"
# (Russian: prepositional case, after "на … языке"; Arabic: after "باللغة")
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "en": dict(en="English", fr="French", es="Spanish", ru="Russian", ar="Arabic", zh="Chinese"),
    "fr": dict(en="anglais", fr="français", es="espagnol", ru="russe", ar="arabe", zh="chinois"),
    "es": dict(en="inglés", fr="francés", es="español", ru="ruso", ar="árabe", zh="chino"),
    "ru": dict(en="английском", fr="французском", es="испанском", ru="русском", ar="арабском", zh="китайском"),
    "ar": dict(en="الإنجليزية", fr="الفرنسية", es="الإسبانية", ru="الروسية", ar="العربية", zh="الصينية"),
    "zh": dict(en="英文", fr="法文", es="西班牙文", ru="俄文", ar="阿拉伯文", zh="中文"),
}
WIDGET_KEYS = ("greeting", "placeholder", "send", "stop", "clear", "open", "close", "your_question",
               "conversation", "note", "sources", "source_n", "error_rate_limited", "error_http", "error_empty")
RTL = frozenset({"ar"})


def normalize_lang(code: str | None) -> str:
    """'fr-FR', 'ZH_hans', 'ar' -> one of LANGS; anything else (or nothing) -> 'en'."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGS else "en"


def t(key: str, lang: str = "en", **fields) -> str:
    """The `key` string in `lang` (English when `lang` is not one of the six), formatted with `fields`."""
    table = STRINGS[key]  # KeyError for an unknown key: a programming error, not a user's
    return table.get(normalize_lang(lang), table["en"]).format(**fields)


def quote_lead(lang: str, doc_lang: str = "en") -> str:
    """The one-line lead before quotes in another language; empty when the languages match."""
    lang, doc_lang = normalize_lang(lang), normalize_lang(doc_lang)
    return "" if lang == doc_lang else t("quote_lead", lang, doc_lang=LANGUAGE_NAMES[lang][doc_lang])


def direction(lang: str) -> str:
    """'rtl' for Arabic, 'ltr' for the others (for the `dir` attribute)."""
    return "rtl" if normalize_lang(lang) in RTL else "ltr"


def widget_strings(lang: str) -> dict[str, str]:
    """The widget's strings as unformatted templates (the widget fills {title}, {n}, …), plus `dir`."""
    lang = normalize_lang(lang)
    return {**{k: STRINGS[k][lang] for k in WIDGET_KEYS}, "dir": direction(lang), "lang": lang}
