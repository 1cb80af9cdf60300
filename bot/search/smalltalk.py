"""Greetings and thanks: messages that are no question.

Newcomers greet a bot the way they greet a person ("سلام", "Привіт", "Guten
Tag") and thank it afterwards ("ممنون", "merci", "🙏"). Searched like questions,
these find entries that merely share a word ("Tag", "вечер", "سلام" in a
doctor's address). :func:`recognise` spots them, per language word lists
below, so the bot can answer with a short friendly message instead.

A message counts as small talk when, after folding
(:func:`bot.search.textnorm.fold`), it consists only of the phrases below,
filler words ("very much", "dear", "bot") and stop words, or only of emoji.
A greeting in front of a real question ("Hallo, ich suche einen Deutschkurs")
is taken off and the rest is searched.
"""

from __future__ import annotations

import enum
import re

from bot.search.textnorm import fold

__all__ = ["SmallTalk", "recognise"]


class SmallTalk(enum.StrEnum):
    """What a small-talk message is: a greeting (also "how are you", "who are
    you"), or thanks (also "ok", "bye", "good night": the conversation ends)."""

    GREETING = "greeting"
    THANKS = "thanks"


# One phrase per "|", as people type them; folded when the module loads, so
# accents, letter variants and case do not matter.
_GREETINGS = {
    "en": "hello|hallo|hi|hey|hiya|hi there|hello there|good morning|good afternoon|"
    "good evening|good day|how are you|how r u|how are things|whats up|sup|"
    "who are you|are you a bot|are you a robot|are you human|are you real|nice to meet you",
    "de": "hallo|hey|moin|moin moin|servus|gruss gott|guten tag|guten morgen|guten abend|"
    "tag|na|wie gehts|wie geht es dir|wie geht es ihnen|wer bist du|bist du ein bot|"
    "bist du ein roboter",
    "fr": "bonjour|salut|bonsoir|coucou|allo|ca va|comment ca va|comment allez vous|"
    "qui es tu|tu es un robot|es tu un robot",
    "lb": "moien|moien alleguer|gudde moien|gudden owend|wei gets|wei geet et",
    "pt": "ola|oi|bom dia|boa tarde|tudo bem|tudo bom|como esta|como vai|quem es tu",
    "tr": "merhaba|selam|selamlar|selamun aleykum|selamunaleykum|aleykum selam|gunaydin|"
    "iyi gunler|iyi aksamlar|nasilsin|nasilsiniz|naber|ne haber|sen kimsin|robot musun",
    "ar": "سلام|السلام عليكم|سلام عليكم|السلام عليكم ورحمة الله|وعليكم السلام|مرحبا|"
    "مرحبا بك|مرحبتين|اهلا|اهلين|اهلا وسهلا|هلا|صباح الخير|صباح النور|مساء الخير|"
    "مساء النور|كيف حالك|كيف الحال|شلونك|كيفك|من انت|هل انت روبوت",
    "fa": "سلام|سلام علیکم|درود|وقت بخیر|روز بخیر|صبح بخیر|عصر بخیر|"
    "حالت چطوره|حال شما چطور است|حالتون چطوره|چطوری|خوبی|خوبین|خسته نباشید|"
    "تو کی هستی|ربات هستی",
    "ps": "سلام|السلام علیکم|سلام علیکم|ستړي مه شې|ستړی مه شی|ښه راغلاست|"
    "څنګه یې|ته څنګه یې|څنګه یاست|ښه یې",
    "uk": "привіт|привітик|вітаю|добрий день|доброго дня|доброго ранку|добрий ранок|"
    "добрий вечір|доброго вечора|здрастуйте|здравствуйте|як справи|як ти|як ви|"
    "хто ти|ти бот|ти робот",
    "ru": "привет|приветик|здравствуйте|здрасте|добрый день|доброе утро|добрый вечер|"
    "как дела|как ты|как вы|кто ты|ты бот|ты робот",
    "ti": "ሰላም|ሰላም ኩን|ሰላም ንዓኹም|ከመይ ኣለኻ|ከመይ ኣለኺ|ከመይ ኣሎኹም|ከመይ ቀኒኻ|ከመይ ሓዲርካ",
    "es": "hola|buenos dias|buenas tardes|buenas noches|que tal|como esta|como estas",
    "it": "ciao|buongiorno|buonasera|salve|come sta|come stai",
    "pl": "czesc|dzien dobry|witam|siema|jak sie masz",
    "ro": "buna|buna ziua|buna dimineata|buna seara|ce faci",
    "sq": "pershendetje|tungjatjeta|mirdita|miremengjes|si je|si jeni",
    "so": "salaan|iska warran|see tahay|nabad",
    "am": "ሰላም|ጤና ይስጥልኝ|እንደምን ነህ|እንደምን ነሽ|እንደምን አደሩ",
    "ur": "سلام|السلام علیکم|آداب|کیا حال ہے|آپ کیسے ہیں",
    "ckb": "سڵاو|چۆنی|باشی",
    "ku": "silav|rojbaş|merheba|tu çawa yî",
}
_THANKS = {
    "en": "thanks|thank you|thank u|thanx|thx|ty|tnx|thanks a lot|many thanks|cheers|"
    "ok|okay|okey|cool|great|good|perfect|got it|bye|bye bye|goodbye|"
    "see you|good night|have a nice day",
    "de": "danke|danke schon|dankeschon|danke sehr|vielen dank|herzlichen dank|"
    "vielen lieben dank|super|alles klar|gut|tschuss|auf wiedersehen|gute nacht|"
    "schonen tag",
    "fr": "merci|merci beaucoup|merci bien|mille mercis|super|d accord|daccord|"
    "au revoir|bonne nuit|bonne journee|a bientot",
    "lb": "merci|merci villmools|villmools merci|adi|addi|awar|gudd nuecht",
    "pt": "obrigado|obrigada|muito obrigado|muito obrigada|valeu|tchau|boa noite|ate logo|esta bem",
    "tr": "tesekkurler|tesekkur ederim|cok tesekkurler|cok tesekkur ederim|sagol|"
    "sagolun|sag ol|eyvallah|tamam|peki|iyi geceler|gorusuruz|hosca kal",
    "ar": "شكرا|شكرا جزيلا|شكرا لك|شكرا كثير|الف شكر|مشكور|مشكورين|يعطيك العافيه|"
    "جزاك الله خيرا|تمام|حسنا|طيب|تصبح على خير|مع السلامه",
    "fa": "ممنون|مرسی|خیلی ممنون|خیلی مرسی|ممنونم|سپاس|سپاسگزارم|متشکرم|تشکر|"
    "دستت درد نکنه|دست شما درد نکنه|باشه|اوکی|شب بخیر|خداحافظ|خدا حافظ",
    "ps": "مننه|ډېره مننه|ډیره مننه|مننه ډېره|تشکر|ښه|سمه ده|خدای پامان|په مخه دې ښه",
    "uk": "дякую|дуже дякую|щиро дякую|дякую вам|дяки|спасибі|добре|ок|окей|гаразд|"
    "до побачення|бувай|на все добре|на добраніч",
    "ru": "спасибо|спасибо большое|большое спасибо|благодарю|спс|хорошо|ок|окей|ладно|"
    "понятно|до свидания|пока|спокойной ночи",
    "ti": "የቐንየለይ|የቐንየልና|የቐንየለይ ብዙሕ|ብዙሕ የቐንየለይ|ይቕንየለይ|ሕራይ|ደሓን ኩን",
    "es": "gracias|muchas gracias|vale|adios|hasta luego",
    "it": "grazie|grazie mille|va bene|arrivederci",
    "pl": "dziekuje|dzieki|bardzo dziekuje|do widzenia",
    "ro": "multumesc|mersi|multumesc frumos|la revedere",
    "sq": "faleminderit|rrofsh|mirupafshim",
    "so": "mahadsanid|mahadsanid aad|nabadgelyo",
    "am": "አመሰግናለሁ|በጣም አመሰግናለሁ|እሺ|ደህና ሁን",
    "ur": "شکریہ|بہت شکریہ|ٹھیک ہے|خدا حافظ",
    "ckb": "سوپاس|زۆر سوپاس|دەستت خۆش بێت",
    "ku": "spas|gelek spas|sipas|xatirê te",
}
# Words that may come with a greeting or thanks without making it a question.
_FILLER = (
    "very much so lot a all everyone everybody guys friend friends dear bot robot "
    "again there u too "
    "sehr viel vielmals nochmal euch dir ihnen lieber liebe leute "
    "beaucoup bien tous tout le monde ami "
    "muito todos amigo "
    "cok size sana herkese "
    "جزيلا كثير يا اخي اخوي اختي عليكم جان عزیز خیلی زیاد ډېره ډیره "
    "дуже вам тобі всім друже большое вам тебе всем друг "
    "ብዙሕ"
)

# Emoji a message may consist of: a wave or a smile greets, hands and hearts thank.
_GREETING_EMOJI = set("👋🙋😀😃😄😁😊🙂☺🤗")
_THANKS_EMOJI = set("🙏👍👌❤💙💚💛🧡💜🤍🖤💕💖🌹🌷💐🤝✅😍🥰☺️")
_EMOJI_SKIP = re.compile(r"[\s\ufe0f\u200d\U0001F3FB-\U0001F3FF]")


def _phrases(table: dict[str, str]) -> set[tuple[str, ...]]:
    return {
        tuple(fold(phrase).split()) for text in table.values() for phrase in text.split("|")
    } - {()}


_GREETING_PHRASES = _phrases(_GREETINGS)
_THANKS_PHRASES = _phrases(_THANKS)
_LONGEST = max(len(p) for p in _GREETING_PHRASES | _THANKS_PHRASES)
FILLER: frozenset[str] = frozenset(fold(_FILLER).split())


def recognise(
    text: str, stopwords: frozenset[str] = frozenset()
) -> tuple[SmallTalk | None, list[str]]:
    """What small talk ``text`` (any str) holds, and the folded words left to search.

    Returns ``(kind, rest)``: ``kind`` is :class:`SmallTalk` when the message
    is only greetings/thanks (with filler and ``stopwords``), or only emoji of
    :data:`_GREETING_EMOJI` / :data:`_THANKS_EMOJI`; else None. ``rest`` is the
    folded words with the greeting and thanks phrases taken out (empty for
    small talk). Thanks win over a greeting in the same message ("hi, thanks").
    """
    words = fold(text).split()
    if not words:
        symbols = set(_EMOJI_SKIP.sub("", text))
        if symbols and symbols <= _THANKS_EMOJI | _GREETING_EMOJI:
            return (SmallTalk.THANKS if symbols & _THANKS_EMOJI else SmallTalk.GREETING), []
        return None, []
    rest: list[str] = []
    greeted = thanked = False
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            phrase = tuple(words[i : i + size])
            if phrase in _THANKS_PHRASES:
                thanked = True
                break
            if phrase in _GREETING_PHRASES:
                greeted = True
                break
        else:
            rest.append(words[i])
            i += 1
            continue
        i += size
    if not (greeted or thanked):
        return None, words
    if all(w in FILLER or w in stopwords for w in rest):
        return (SmallTalk.THANKS if thanked else SmallTalk.GREETING), []
    return None, rest
