"""WhatsApp system sentences ("X added Y", "X a créé le groupe", ...) in several languages.

A header line is a participant message when its ``Name:`` prefix is a known sender; otherwise
it is matched here. Patterns are anchored at both ends and a name never contains ": ", so a
participant's message such as ``Bob: I added salt`` is never mistaken for a system line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conductlens.model import MembershipKind as K

_A = r"(?P<actor>.+?)"
_T = r"(?P<target>.+?)"
_Q = r"[\"“„«»]\s?(?P<detail>.*?)\s?[\"”“«»]"
_QOLD = r"[\"“„«»]\s?.*?\s?[\"”“«»]"

# (pattern, kind or None for a plain notice, says-it-is-a-group)
_TABLE: tuple[tuple[str, K | None, bool], ...] = (
    # English
    (rf"{_A} created group {_Q}", K.CREATED, True),
    (rf"{_A} created this group", K.CREATED, True),
    (rf"{_A} created the group", K.CREATED, True),
    (rf"{_T} (?:was|were) added", K.ADDED, True),
    (rf"{_A} added {_T}", K.ADDED, True),
    (rf"{_T} (?:was|were) removed", K.REMOVED, True),
    (rf"{_A} removed {_T}", K.REMOVED, True),
    (rf"{_A} left", K.LEFT, True),
    (rf"{_A} joined using (?:this group's|your) invite link", K.JOINED_BY_LINK, True),
    (rf"{_A} joined (?:via|from) .+", K.JOINED, True),
    (rf"{_A} joined", K.JOINED, True),
    (rf"{_A} changed the subject from {_QOLD} to {_Q}", K.SUBJECT_CHANGED, True),
    (rf"{_A} changed the (?:subject|group name) to {_Q}", K.SUBJECT_CHANGED, True),
    (rf"{_A} (?:changed|deleted) (?:this group's|the group) description", K.DESCRIPTION_CHANGED,
     True),
    (rf"{_A} (?:changed|deleted) (?:this group's|the group) icon", K.ICON_CHANGED, True),
    (rf"{_A} changed their phone number to a new number\..*", K.NUMBER_CHANGED, False),
    (rf"{_A} changed to (?P<detail>\+?[\d ()\-]{{6,}})", K.NUMBER_CHANGED, False),
    (rf"{_A} changed (?:this group's|the group) settings.*", K.SETTINGS_CHANGED, True),
    (rf"{_A} (?:turned on|turned off|updated) (?:disappearing messages|the message timer).*",
     K.SETTINGS_CHANGED, False),
    (r"(?P<target>You)'re now an admin", K.ADMIN_CHANGED, True),
    (r"(?P<target>You)'re no longer an admin", K.ADMIN_CHANGED, True),
    (rf"{_T} (?:is|are) (?:now|no longer) an admin", K.ADMIN_CHANGED, True),
    (rf"{_A} made {_T} (?:an |a group )?admin", K.ADMIN_CHANGED, True),
    (rf"{_A} dismissed {_T} as (?:an )?admin", K.ADMIN_CHANGED, True),
    (r"Messages (?:and calls )?(?:to|you send to) this (?:group|chat).*end-to-end encryption.*",
     None, False),
    (r"Messages and calls are end-to-end encrypted\..*", None, False),
    (r"This (?:business|chat).*", None, False),
    (r".+ is a contact\.?", None, False),
    (r".*security code (?:with .+ )?changed\..*", None, False),
    (r"(?:Missed )?(?:voice|video|group) call.*", None, False),
    (r"You (?:blocked|unblocked) this (?:contact|business)\.?.*", None, False),
    (r"Waiting for this message\..*", None, False),
    # Spanish
    (rf"{_A} creó (?:el|este) grupo(?: {_Q})?", K.CREATED, True),
    (rf"{_A} (?P<target>te) añadió", K.ADDED, True),
    (rf"{_A} añadió(?: a)? {_T}", K.ADDED, True),
    (rf"{_A} (?P<target>te) eliminó", K.REMOVED, True),
    (rf"{_A} eliminó(?: a)? {_T}", K.REMOVED, True),
    (rf"{_A} salió(?: del grupo)?", K.LEFT, True),
    (rf"{_A} se unió (?:usando|mediante) el enlace de invitación.*", K.JOINED_BY_LINK, True),
    (rf"{_A} cambió el (?:asunto|nombre del grupo) (?:de {_QOLD} )?a {_Q}", K.SUBJECT_CHANGED,
     True),
    (rf"{_A} cambió la descripción del grupo", K.DESCRIPTION_CHANGED, True),
    (rf"{_A} cambió (?:el ícono|la imagen|el icono) de(?:l| este) grupo", K.ICON_CHANGED, True),
    (rf"{_A} cambió su número.*", K.NUMBER_CHANGED, False),
    (r"Los mensajes y las llamadas están cifrados de extremo a extremo.*", None, False),
    # French
    (rf"{_A} a créé (?:le|ce) groupe(?: {_Q})?", K.CREATED, True),
    (rf"{_A} (?P<target>vous) a ajouté", K.ADDED, True),
    (rf"{_A} a ajouté {_T}", K.ADDED, True),
    (rf"{_A} (?P<target>vous) a retiré", K.REMOVED, True),
    (rf"{_A} a retiré {_T}", K.REMOVED, True),
    (rf"{_A} est parti(?:e)?", K.LEFT, True),
    (rf"{_A} (?:a rejoint|s'est joint(?:e)?|s’est joint(?:e)?) .*lien d.invitation.*",
     K.JOINED_BY_LINK, True),
    (rf"{_A} a (?:modifié|changé) le (?:sujet|nom du groupe) (?:de {_QOLD} )?(?:en|à|pour) {_Q}",
     K.SUBJECT_CHANGED, True),
    (rf"{_A} a (?:modifié|changé) la description du groupe", K.DESCRIPTION_CHANGED, True),
    (rf"{_A} a (?:modifié|changé) l.(?:icône|image) de ce groupe", K.ICON_CHANGED, True),
    (rf"{_A} a changé de numéro.*", K.NUMBER_CHANGED, False),
    (r"Les messages et les appels sont chiffrés de bout en bout.*", None, False),
    # German
    (rf"{_A} hat (?:die|diese) Gruppe(?: {_Q})? erstellt", K.CREATED, True),
    (rf"{_A} hat {_T} hinzugefügt", K.ADDED, True),
    (rf"{_A} hat {_T} entfernt", K.REMOVED, True),
    (rf"{_A} hat die Gruppe verlassen", K.LEFT, True),
    (rf"{_A} ist .*Einladungslink.* beigetreten", K.JOINED_BY_LINK, True),
    (rf"{_A} hat den Betreff (?:von {_QOLD} )?(?:zu|in) {_Q} geändert", K.SUBJECT_CHANGED, True),
    (rf"{_A} hat die Gruppenbeschreibung geändert", K.DESCRIPTION_CHANGED, True),
    (rf"{_A} hat das Gruppenbild geändert", K.ICON_CHANGED, True),
    (rf"{_A} hat (?:die Telefonnummer|zu (?P<detail>\+?[\d ()\-]{{6,}})) gewechselt.*",
     K.NUMBER_CHANGED, False),
    (r"Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.*", None, False),
    # Portuguese
    (rf"{_A} criou (?:o|este) grupo(?: {_Q})?", K.CREATED, True),
    (rf"{_A} (?P<target>te) adicionou", K.ADDED, True),
    (rf"{_A} adicionou {_T}", K.ADDED, True),
    (rf"{_A} (?P<target>te) removeu", K.REMOVED, True),
    (rf"{_A} removeu {_T}", K.REMOVED, True),
    (rf"{_A} saiu", K.LEFT, True),
    (rf"{_A} entrou usando o link de convite.*", K.JOINED_BY_LINK, True),
    (rf"{_A} (?:mudou|alterou) o (?:assunto|nome do grupo) (?:de {_QOLD} )?para {_Q}",
     K.SUBJECT_CHANGED, True),
    (rf"{_A} (?:mudou|alterou) a descrição do grupo", K.DESCRIPTION_CHANGED, True),
    (rf"{_A} (?:mudou|alterou) a imagem (?:deste|do) grupo", K.ICON_CHANGED, True),
    (rf"{_A} mudou (?:de número|o número).*", K.NUMBER_CHANGED, False),
    (r"As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta.*", None,
     False),
    # Italian
    (rf"{_A} ha creato (?:il|questo) gruppo(?: {_Q})?", K.CREATED, True),
    (rf"{_A} (?P<target>ti) ha aggiunto", K.ADDED, True),
    (rf"{_A} ha aggiunto {_T}", K.ADDED, True),
    (rf"{_A} (?P<target>ti) ha rimosso", K.REMOVED, True),
    (rf"{_A} ha rimosso {_T}", K.REMOVED, True),
    (rf"{_A} è uscit[oa]", K.LEFT, True),
    (rf"{_A} si è unit[oa] tramite il link d.invito.*", K.JOINED_BY_LINK, True),
    (rf"{_A} ha cambiato l.oggetto (?:da {_QOLD} )?a {_Q}", K.SUBJECT_CHANGED, True),
    (rf"{_A} ha cambiato la descrizione del gruppo", K.DESCRIPTION_CHANGED, True),
    (rf"{_A} ha cambiato l.immagine di questo gruppo", K.ICON_CHANGED, True),
    (rf"{_A} ha cambiato numero.*", K.NUMBER_CHANGED, False),
    (r"I messaggi e le chiamate sono crittografati end-to-end.*", None, False),
    # Dutch
    (rf"{_A} heeft (?:de )?groep(?: {_Q})? aangemaakt", K.CREATED, True),
    (rf"{_A} heeft {_T} toegevoegd", K.ADDED, True),
    (rf"{_A} heeft {_T} verwijderd", K.REMOVED, True),
    (rf"{_A} heeft de groep verlaten", K.LEFT, True),
    (rf"{_A} is vertrokken", K.LEFT, True),
    (rf"{_A} neemt deel via de uitnodigingslink.*", K.JOINED_BY_LINK, True),
    (rf"{_A} heeft het onderwerp gewijzigd (?:van {_QOLD} )?(?:naar|in) {_Q}", K.SUBJECT_CHANGED,
     True),
    (rf"{_A} heeft de groepsbeschrijving gewijzigd", K.DESCRIPTION_CHANGED, True),
    (rf"{_A} heeft de (?:afbeelding|groepsafbeelding) .*gewijzigd", K.ICON_CHANGED, True),
    (r"Berichten en oproepen zijn end-to-end versleuteld.*", None, False),
    # Finnish
    (rf"{_A} loi ryhmän(?: {_Q})?", K.CREATED, True),
    (rf"{_A} lisäsi {_T}", K.ADDED, True),
    (rf"{_A} poisti {_T}", K.REMOVED, True),
    (rf"{_A} poistui", K.LEFT, True),
    (rf"{_A} liittyi .*kutsulinkin kautta.*", K.JOINED_BY_LINK, True),
    (rf"{_A} vaihtoi (?:aiheen|ryhmän nimen).* {_Q}", K.SUBJECT_CHANGED, True),
    (r"Viestit ja puhelut ovat päästä päähän salattuja.*", None, False),
)

_COMPILED = tuple((re.compile(p, re.DOTALL), kind, group) for p, kind, group in _TABLE)

# Words that mean the phone's owner in system sentences ("Sarah added you").
OWNER_WORDS = frozenset({"You", "you", "te", "Tú", "tú", "vous", "Vous", "ti", "Du", "dich", "je",
                         "Jij", "jij", "Você", "você", "Sinä", "sinut", "Sie"})
_SPLIT = re.compile(r", | and | y | e | et | und | en | ja ")
BANNER = re.compile(
    r"\u200e?(?:Messages and calls are end-to-end encrypted|Messages (?:and calls )?(?:to|you"
    r" send to) this (?:group|chat)|Los mensajes y las llamadas están cifrados|Les messages et"
    r" les appels sont chiffrés|Nachrichten und Anrufe sind Ende-zu-Ende|As mensagens e as"
    r" chamadas são protegidas|I messaggi e le chiamate sono crittografati|Berichten en oproepen"
    r" zijn end-to-end|Viestit ja puhelut ovat päästä päähän|This business uses a secure service)"
)


@dataclass(frozen=True, slots=True)
class SystemLine:
    """What a system sentence says: the membership change it records, if any."""

    kind: K | None
    actor: str | None
    targets: tuple[str, ...]
    detail: str | None
    group: bool


def classify(body: str) -> SystemLine | None:
    """The system sentence ``body`` is, or None when it is not one we know."""
    text = body.lstrip("\u200e")
    for pattern, kind, group in _COMPILED:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        if kind is None and ": " in text:
            continue  # a notice never holds ": "; this is someone's message
        parts = m.groupdict()
        actor, target = parts.get("actor"), parts.get("target")
        if (actor and ": " in actor) or (target and ": " in target):
            continue  # a name never holds ": "; this is someone's message
        targets = tuple(_SPLIT.split(target)) if target else ()
        return SystemLine(kind, actor, targets, parts.get("detail"), group)
    return None


def is_banner(text: str) -> bool:
    """True for the end-to-end encryption notice (iOS writes it as if the chat sent it)."""
    return BANNER.match(text) is not None


# Some tools write system lines under a pseudo-sender; only these names are taken as such.
SYSTEM_NAMES = frozenset({"system", "sistema", "système", "systeem", "järjestelmä"})


def system_line(body: str) -> tuple[SystemLine | None, bool]:
    """(what a header's body says as a system line, whether it is one we recognise)."""
    info = classify(body)
    if info is not None:
        return info, True
    idx = body.find(": ")
    if idx > 0:
        rest = body[idx + 2 :]
        if is_banner(rest):
            return None, True
        # iOS writes group notices under the group's name with a mark first ("Team: \u200eX
        # left"); some tools write them under "System".
        if rest.startswith("\u200e") or body[:idx].lower() in SYSTEM_NAMES:
            info = classify(rest)
            if info is not None:
                return info, True
    return None, False
