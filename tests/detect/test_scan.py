"""Scanning: findings carry everything a reviewer needs; context moves severity and says why."""

from __future__ import annotations

from conductlens.detect.base import Severity
from conductlens.detect.policy import Policy
from conductlens.detect.scan import check_text, scan_batch


def _only(policy: Policy, text: str, category: str) -> list[Severity]:
    return [f.severity for f in check_text(policy, text) if f.category == category]


def test_finding_fields(baseline: Policy) -> None:
    text = "that new lad is a f4gg0t"
    (finding,) = [f for f in check_text(baseline, text) if f.category.startswith("discrim")]
    assert finding.category == "discrimination-sexual-orientation"
    assert "Equality and diversity" in finding.standards
    assert finding.severity == Severity.HIGH
    # The slur is highlighted; the conduct model's reading, folded in, may add the words it
    # weighed (here the target, "lad").
    assert "f4gg0t" in [text[a:b] for a, b in finding.spans]
    assert finding.detector.startswith("lexicon:")
    assert finding.policy_version == baseline.version
    assert "faggot" in finding.explanation.render()


def test_reporting_an_offender_lowers_severity(baseline: Policy) -> None:
    said = _only(baseline, "what a p*ki", "discrimination-race")
    reported = _only(baseline, "Victim states the suspect called him a p*ki", "discrimination-race")
    assert said == [Severity.HIGH] and reported == [Severity.LOW]


def test_quoting_lowers_severity(baseline: Policy) -> None:
    assert _only(
        baseline, 'he kept saying "you spastic" at the bar', "discrimination-disability"
    ) == [Severity.LOW]


def test_challenge_lowers_and_explains(baseline: Policy) -> None:
    findings = check_text(baseline, "mate that's not on, 'tranny' is a slur, delete it")
    (finding,) = [f for f in findings if f.category == "discrimination-gender-reassignment"]
    assert finding.severity == Severity.LOW
    assert any("challenges" in reason for reason in finding.explanation.context)


def test_a_staff_networks_own_words_are_lowered_but_not_hostility(baseline: Policy) -> None:
    category = "discrimination-sexual-orientation"
    notice = "LGBT+ network social on friday, all the queers and their mates welcome"
    (finding,) = [f for f in check_text(baseline, notice) if f.category == category]
    assert finding.severity == Severity.LOW
    assert any("staff network" in reason for reason in finding.explanation.context)
    # A hostile word makes the network the target; laughter keeps it as it is.
    assert _only(baseline, "the lgbt network are vermin, all of them", category) == [
        Severity.HIGH
    ]
    assert _only(baseline, "LGBT+ network social friday, all the queers welcome 😂", category) == [
        Severity.HIGH
    ]
    # Without a network named or a speaker naming themself, "welcome" lowers nothing.
    assert _only(baseline, "all welcome at the briefing, bring the queers", category) != [
        Severity.LOW
    ]


def test_directed_at_colleague_raises(baseline: Policy) -> None:
    assert _only(baseline, "he's a muppet", "bullying") == []
    assert _only(baseline, "waste of space", "bullying") == [Severity.MEDIUM]
    assert _only(baseline, "you're a waste of space", "bullying") == [Severity.HIGH]


def test_batch_is_deterministic_and_ordered(baseline: Policy) -> None:
    items = [
        (f"m{i}", text)
        for i, text in enumerate(
            ["hello", "delete this chat before PSD", "her number is 07911 123456", "p4ki"] * 3
        )
    ]
    first = scan_batch(baseline, items)
    assert first == scan_batch(baseline, items)
    assert [f.message_id for f in first][:3] == ["m1", "m2", "m3"]
    assert {f.message_id for f in first} == {f"m{i}" for i in range(12) if i % 4}


def test_benign_messages_rarely_flagged(baseline: Policy) -> None:
    from conductlens.detect.evaluate import benign_messages

    texts = benign_messages()
    findings = scan_batch(baseline, [(str(i), t) for i, t in enumerate(texts)])
    flagged = {f.message_id for f in findings if f.severity >= Severity.MEDIUM}
    assert len(flagged) <= 0.05 * len(texts)


def test_everyday_words_sharing_a_normal_form_are_not_findings(baseline: Policy) -> None:
    # "ass" -> "as", "coon" -> "con", "nigger" -> "niger" once repeated letters collapse.
    for text in ("same story as last week", "he is a con artist", "flights to Niger"):
        assert [
            f.category for f in check_text(baseline, text) if f.category != "abusive-language"
        ] == []


def test_threat_reported_in_a_crime_report_is_lowered(baseline: Policy) -> None:
    text = "Male threatened to kill his ex, woman very scared"
    assert _only(baseline, text, "discrimination-sex") in ([], [Severity.LOW])
